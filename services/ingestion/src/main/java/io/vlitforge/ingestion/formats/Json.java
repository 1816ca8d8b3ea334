package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict JSON reading for the readers: bounded string and nesting sizes, UTF-8 only, and every way a
 * file or line can be unreadable turned into its own reason code ({@code source.empty},
 * {@code source.invalid_utf8}, {@code source.truncated_json}, {@code source.not_json},
 * {@code source.value_too_large}, {@code source.too_deep}) recorded as a problem of the read, so one bad file never stops the
 * others. Also the typed field access the readers share, which never guesses: a missing or mistyped
 * field is {@code null}.
 */
public final class Json {

    /** Longest single string accepted (a caption or a conversation turn is far shorter). */
    public static final int MAX_STRING = 1_000_000;
    /** Longest text of one annotation (caption, question, turn) kept. */
    public static final int MAX_TEXT = 20_000;

    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING).maxNestingDepth(200)
                    .build())
            .build());

    private Json() {
    }

    /** Parses a whole file; {@code null} (and a problem) if it cannot be read. */
    public static JsonNode parseFile(Path file, ItemSink result) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            result.problem(file.getFileName().toString(), "source.unreadable", "cannot read " + file + ": " + e);
            return null;
        }
        return parse(bytes, file.getFileName().toString(), result);
    }

    /** Parses one document; {@code null} (and a problem naming {@code item}) if it cannot be read. */
    public static JsonNode parse(byte[] bytes, String item, ItemSink result) {
        if (bytes.length == 0 || new String(bytes, StandardCharsets.ISO_8859_1).isBlank()) {
            result.problem(item, "source.empty", "no JSON in it");
            return null;
        }
        if (!validUtf8(bytes)) {
            result.problem(item, "source.invalid_utf8", "the bytes are not valid UTF-8");
            return null;
        }
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            classify(e, item, result);
        }
        return null;
    }

    /** Records why a document could not be read, with the reason code of the kind of failure. */
    static void classify(IOException failure, String item, ItemSink result) {
        if (failure instanceof JsonStream.Unreadable unreadable) {
            result.problem(item, unreadable.reason, unreadable.getMessage());
            return;
        }
        try {
            throw failure;
        } catch (StreamConstraintsException e) {
            boolean depth = String.valueOf(e.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT).contains("depth");
            result.problem(item, depth ? "source.too_deep" : "source.value_too_large", e.getOriginalMessage());
        } catch (JsonEOFException e) {
            result.problem(item, "source.truncated_json", "the JSON ends early: " + e.getOriginalMessage());
        } catch (CharConversionException e) {
            result.problem(item, "source.invalid_utf8", e.getMessage());
        } catch (JsonProcessingException e) {
            String message = String.valueOf(e.getOriginalMessage());
            boolean early = message.contains("end-of-input");
            boolean utf8 = message.contains("Invalid UTF-8");
            result.problem(item, early ? "source.truncated_json" : utf8 ? "source.invalid_utf8" : "source.not_json",
                    e.getOriginalMessage());
        } catch (IOException e) {
            result.problem(item, "source.unreadable", e.getMessage());
        }
    }

    /**
     * The lines of a UTF-8 text file. A line that is not UTF-8 is recorded ({@code source.invalid_utf8},
     * with its number) and given back blank, so the other lines are still read; {@code null} (and a
     * problem) only if the file cannot be read at all.
     */
    public static List<String> lines(Path file, ItemSink result) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            result.problem(file.getFileName().toString(), "source.unreadable", "cannot read " + file + ": " + e);
            return null;
        }
        if (bytes.length == 0) {
            result.problem(file.getFileName().toString(), "source.empty", "the file is empty");
            return null;
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i == bytes.length && start == i) {
                    break;
                }
                byte[] line = java.util.Arrays.copyOfRange(bytes, start, i > start && bytes[i - 1] == '\r' ? i - 1 : i);
                if (validUtf8(line)) {
                    lines.add(new String(line, StandardCharsets.UTF_8));
                } else {
                    result.problem(file.getFileName() + " line " + (lines.size() + 1), "source.invalid_utf8",
                            "the line is not valid UTF-8");
                    lines.add("");
                }
                start = i + 1;
            }
        }
        return lines;
    }

    public static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A string field, {@code null} if missing or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** An id field written as a number or a string, {@code null} otherwise. */
    public static String id(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asText();
        }
        if (v.isTextual() && !v.asText().isBlank() && v.asText().length() <= 100) {
            return v.asText();
        }
        return null;
    }

    /** A number field, {@code null} if missing or not a number (NaN and infinities are not numbers). */
    public static Double number(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isNumber() && Double.isFinite(v.asDouble()) ? v.asDouble() : null;
    }

    /** A positive integer field, {@code null} otherwise. */
    public static Integer positiveInt(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isIntegralNumber() && v.asLong() > 0 && v.asLong() <= Integer.MAX_VALUE ? v.asInt() : null;
    }

    /** An array field's elements, empty if missing or not an array. */
    public static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isArray() ? v : List.of();
    }

    /** Strings of an array field (non-strings skipped). */
    public static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode v : array(node, field)) {
            if (v.isTextual()) {
                out.add(v.asText());
            }
        }
        return out;
    }

    /** A text that is usable as an annotation: not blank and not absurdly long. */
    public static String usableText(String text, String item, ItemSink result) {
        if (text == null || text.isBlank()) {
            result.problem(item, "annotation.missing_text", "no text");
            return null;
        }
        if (text.length() > MAX_TEXT) {
            result.problem(item, "annotation.text_too_long", text.length() + " characters, more than " + MAX_TEXT);
            return null;
        }
        return text.strip();
    }
}
