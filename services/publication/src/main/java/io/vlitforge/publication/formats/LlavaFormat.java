package io.vlitforge.publication.formats;

import io.vlitforge.shared.events.Turn;

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
        byte[] llava = ReleaseJson.sampleArray(release.samples(), (s, g) -> {
            g.writeStringField("id", s.id());
            g.writeStringField("image", release.imageForLlava(s));
            g.writeArrayFieldStart("conversations");
            for (Turn t : s.conversations()) {
                g.writeStartObject();
                g.writeStringField("from", t.from());
                g.writeStringField("value", t.value());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
        out.put(FILE, llava, ReleaseJson.CONTENT_TYPE);
    }
}
