package io.vlitforge.publication.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vlitforge.shared.events.Sample;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The one JSON configuration every release file is written with, so that all formats (and the manifest)
 * indent the same way and a change of style cannot make two writers disagree.
 */
public final class ReleaseJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    public static final String CONTENT_TYPE = "application/json";

    private ReleaseJson() {
    }

    /** One line of JSON (for metadata fields inside binary files); maps must be ordered ones. */
    public static String compact(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one sample as one JSON object of a format's file. */
    @FunctionalInterface
    public interface SampleWriter {
        void write(Sample sample, JsonGenerator json) throws IOException;
    }

    /**
     * A format's training file: a JSON array with one object per sample, streamed (a release can hold
     * hundreds of thousands of samples), indented like every other release file, ending with a newline.
     */
    public static byte[] sampleArray(List<Sample> samples, SampleWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(bytes)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Sample sample : samples) {
                g.writeStartObject();
                writer.write(sample, g);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** How often {@code token} occurs in {@code text}; trainers fail when this disagrees with the image count. */
    public static int occurrences(String text, String token) {
        int count = 0;
        for (int at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length())) {
            count++;
        }
        return count;
    }
}
