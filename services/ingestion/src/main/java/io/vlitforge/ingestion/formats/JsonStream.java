package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.CharConversionException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streaming JSON for the readers of large files (Visual Genome's objects and relationships are gigabytes,
 * VQA's annotations hundreds of megabytes): a file is read token by token with Jackson's
 * {@link JsonParser}, one entry at a time turned into a tree, so memory holds one entry, never the file.
 * The same limits and the same reason codes as {@link Json#parse} ({@code source.empty},
 * {@code source.invalid_utf8}, {@code source.truncated_json}, {@code source.not_json},
 * {@code source.value_too_large}, {@code source.too_deep}); UTF-8 is checked as the bytes go by.
 *
 * <p>Also the byte range of each entry of a top-level array ({@link #indexArray}) and reading one such
 * range back ({@link #readRange}): how a reader joins several files per image without holding any of them.
 */
public final class JsonStream {

    /** The largest single entry read back as a tree (one image's objects, one question). */
    public static final int MAX_ENTRY = 256 * 1024 * 1024;

    private JsonStream() {
    }

    /** The part of a streaming read that looks at the tokens; may throw whatever the parser throws. */
    @FunctionalInterface
    public interface Body {
        void read(JsonParser parser) throws IOException;
    }

    /** Where each entry of a top-level array is: its id (or null) and its byte range in the file. */
    @FunctionalInterface
    public interface EntryVisitor {
        void entry(String id, long start, long end) throws IOException;
    }

    /** The file could not be read through: the reason code and detail are set. */
    public static final class Unreadable extends IOException {
        final String reason;

        Unreadable(String reason, String detail) {
            super(detail);
            this.reason = reason;
        }
    }

    /**
     * Streams {@code file} through {@code body} (the parser is positioned before the first token).
     * {@code false}, and a problem naming the file with its reason code, if the file is empty or cannot be
     * read through; whatever the body handed on before the break stays handed on, so a reader that must
     * use all of a file or nothing collects first and hands on after (as the readers here do).
     */
    public static boolean read(Path file, ItemSink sink, Body body) {
        String name = file.getFileName().toString();
        try {
            if (Files.size(file) == 0) {
                sink.problem(name, "source.empty", "no JSON in it");
                return false;
            }
        } catch (IOException e) {
            sink.problem(name, "source.unreadable", "cannot read " + file + ": " + e);
            return false;
        }
        try (JsonParser parser = open(file)) {
            body.read(parser);
            return true;
        } catch (IOException e) {
            Json.classify(e, name, sink);
        }
        return false;
    }

    /** A parser on the file with {@link Json#MAPPER}'s limits, checking UTF-8 as it reads. */
    public static JsonParser open(Path file) throws IOException {
        InputStream in = new Utf8Checked(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        return Json.MAPPER.getFactory().createParser(in);
    }

    /** The first token; an {@link Unreadable} {@code source.empty} if there is none. */
    public static JsonToken first(JsonParser parser) throws IOException {
        JsonToken t = parser.nextToken();
        if (t == null) {
            throw new Unreadable("source.empty", "no JSON in it");
        }
        return t;
    }

    /** Refuses the file as a whole with this reason (e.g. {@code source.wrong_shape}). */
    public static Unreadable refuse(String reason, String detail) {
        return new Unreadable(reason, detail);
    }

    /**
     * Goes through the top-level array the parser is at (its {@code START_ARRAY} is the current token) and
     * gives each element's id and byte range: the id is the first of {@code idFields} written at the
     * element's top level as an id (an integer, or a short non-blank string, as {@link Json#id}); every
     * other value is skipped unread. An element that is not an object has no id.
     */
    public static void indexArray(JsonParser parser, String[] idFields, EntryVisitor visitor) throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new Unreadable("source.truncated_json", "the JSON ends early");
            }
            long start = parser.currentTokenLocation().getByteOffset();
            String[] ids = new String[idFields.length];
            if (t == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    int at = indexOf(idFields, field);
                    if (at >= 0 && ids[at] == null) {
                        ids[at] = idText(parser, value);
                    }
                    skipChecked(parser);
                }
            } else {
                skipChecked(parser);
            }
            long end = parser.currentLocation().getByteOffset();
            String id = null;
            for (String candidate : ids) {
                if (candidate != null) {
                    id = candidate;
                    break;
                }
            }
            visitor.entry(id, start, end);
        }
    }

    /** Reads the elements of the array the parser is at, one tree at a time. */
    public static void forEachElement(JsonParser parser, NodeVisitor visitor) throws IOException {
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new Unreadable("source.truncated_json", "the JSON ends early");
            }
            JsonNode node = parser.readValueAsTree();
            visitor.node(node);
        }
    }

    /** One element of an array, as a tree. */
    @FunctionalInterface
    public interface NodeVisitor {
        void node(JsonNode node) throws IOException;
    }

    /** Reads back one entry found by {@link #indexArray}. */
    public static JsonNode readRange(FileChannel channel, long start, long end) throws IOException {
        long length = end - start;
        if (length <= 0 || length > MAX_ENTRY) {
            throw new Unreadable("source.value_too_large", "an entry of " + length + " bytes, more than "
                    + MAX_ENTRY);
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, start + buffer.position()) < 0) {
                throw new Unreadable("source.truncated_json", "the file changed while it was read");
            }
        }
        return Json.MAPPER.readTree(buffer.array());
    }

    /**
     * Skips the value the parser is at, holding its strings to the limits reading them would (Jackson's own
     * skipping does not decode strings, so an overlong one would only fail when the entry is read back).
     * Nesting depth and numbers are checked as tokens anyway.
     */
    static void skipChecked(JsonParser parser) throws IOException {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            parser.getTextLength();
            return;
        }
        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
            return;
        }
        int depth = 1;
        while (depth > 0) {
            JsonToken n = parser.nextToken();
            if (n == null) {
                throw new Unreadable("source.truncated_json", "the JSON ends early");
            }
            if (n.isStructStart()) {
                depth++;
            } else if (n.isStructEnd()) {
                depth--;
            } else if (n == JsonToken.VALUE_STRING) {
                parser.getTextLength();
            }
        }
    }

    private static int indexOf(String[] fields, String field) {
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].equals(field)) {
                return i;
            }
        }
        return -1;
    }

    private static String idText(JsonParser parser, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return parser.getText();
        }
        if (value == JsonToken.VALUE_STRING) {
            String s = parser.getText();
            return s.isBlank() || s.length() > 100 ? null : s;
        }
        return null;
    }

    /**
     * Checks that the bytes passing through are well-formed UTF-8 (no overlong forms, no surrogates, nothing
     * above U+10FFFF), as {@link Json#validUtf8} does for a whole file, failing with a
     * {@link CharConversionException} at the first bad byte.
     */
    static final class Utf8Checked extends FilterInputStream {

        private int pending;
        private int lower = 0x80;
        private int upper = 0xBF;
        private long offset;

        Utf8Checked(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                end();
            } else {
                check(b);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n = super.read(buffer, off, len);
            if (n < 0) {
                end();
            }
            for (int i = 0; i < n; i++) {
                check(buffer[off + i] & 0xFF);
            }
            return n;
        }

        private void end() throws CharConversionException {
            if (pending > 0) {
                throw new CharConversionException("the bytes are not valid UTF-8: the file ends inside a character");
            }
        }

        private void check(int b) throws CharConversionException {
            offset++;
            if (pending > 0) {
                if (b < lower || b > upper) {
                    bad();
                }
                lower = 0x80;
                upper = 0xBF;
                pending--;
                return;
            }
            if (b < 0x80) {
                return;
            }
            if (b >= 0xC2 && b <= 0xDF) {
                pending = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                pending = 2;
                if (b == 0xE0) {
                    lower = 0xA0;
                } else if (b == 0xED) {
                    upper = 0x9F;
                }
            } else if (b >= 0xF0 && b <= 0xF4) {
                pending = 3;
                if (b == 0xF0) {
                    lower = 0x90;
                } else if (b == 0xF4) {
                    upper = 0x8F;
                }
            } else {
                bad();
            }
        }

        private void bad() throws CharConversionException {
            throw new CharConversionException("the bytes are not valid UTF-8 (byte " + (offset - 1) + ")");
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes must be checked too: read them.
            byte[] sink = new byte[(int) Math.min(n, 8192)];
            int r = read(sink, 0, sink.length);
            return Math.max(r, 0);
        }
    }
}
