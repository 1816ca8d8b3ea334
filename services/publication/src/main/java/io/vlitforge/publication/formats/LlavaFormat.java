package io.vlitforge.publication.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * {@code llava.json}, LLaVA's training format: a list of {@code {id, image, conversations:[{from, value}]}}
 * where {@code image} is relative to the release's {@code images/} folder (LLaVA's {@code --image_folder}).
 * Written with a streaming generator because the LLaVA-1.5 mix is hundreds of thousands of entries.
 */
public final class LlavaFormat implements ReleaseFormat {

    public static final String NAME = "llava";
    public static final String FILE = "llava.json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void write(ReleaseContent release, ImageSource images, FileSink out) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = ReleaseJson.MAPPER.getFactory().createGenerator(bytes)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Sample s : release.samples()) {
                g.writeStartObject();
                g.writeStringField("id", s.id());
                g.writeStringField("image", ReleaseContent.pathInImageFolder(s));
                g.writeArrayFieldStart("conversations");
                for (Turn t : s.conversations()) {
                    g.writeStartObject();
                    g.writeStringField("from", t.from());
                    g.writeStringField("value", t.value());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.put(FILE, bytes.toByteArray(), ReleaseJson.CONTENT_TYPE);
    }
}
