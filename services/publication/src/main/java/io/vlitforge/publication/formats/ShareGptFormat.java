package io.vlitforge.publication.formats;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LLaMA-Factory's multimodal ShareGPT layout (the shape of its {@code mllm_demo.json}):
 * {@code sharegpt.json} as {@code [{messages:[{role, content}], images:[path]}]} and the
 * {@code dataset_info.json} entry that tells LLaMA-Factory how to read it, so that the release folder can be
 * passed as {@code dataset_dir} unchanged. Image paths are relative to the release folder, which is where
 * LLaMA-Factory resolves them when {@code media_dir} is left at its default ({@code dataset_dir}).
 * Turn text is kept exactly as accepted: the {@code <image>} placeholder is the same token in both trainers.
 */
public final class ShareGptFormat implements ReleaseFormat {

    public static final String NAME = "sharegpt";
    public static final String FILE = "sharegpt.json";
    public static final String DATASET_INFO = "dataset_info.json";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void write(ReleaseContent release, ImageSource images, FileSink out) {
        out.put(FILE, messages(release), ReleaseJson.CONTENT_TYPE);
        out.put(DATASET_INFO, datasetInfo(release), ReleaseJson.CONTENT_TYPE);
    }

    private static byte[] messages(ReleaseContent release) {
        return ReleaseJson.sampleArray(release.samples(), (s, g) -> {
            g.writeArrayFieldStart("messages");
            for (Turn t : s.conversations()) {
                g.writeStartObject();
                g.writeStringField("role", role(s, t));
                g.writeStringField("content", t.value());
                g.writeEndObject();
            }
            g.writeEndArray();
            // Every sample has exactly one image; a list because LLaMA-Factory pairs each <image> in order.
            g.writeArrayFieldStart("images");
            g.writeString(release.imagePath(s));
            g.writeEndArray();
        });
    }

    private static byte[] datasetInfo(ReleaseContent release) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("file_name", FILE);
        entry.put("formatting", "sharegpt");
        entry.put("columns", orderedMap("messages", "messages", "images", "images"));
        entry.put("tags", orderedMap("role_tag", "role", "content_tag", "content", "user_tag", USER,
                "assistant_tag", ASSISTANT));
        try {
            byte[] json = ReleaseJson.MAPPER.writeValueAsBytes(Map.of(release.name(), entry));
            byte[] withNewline = new byte[json.length + 1];
            System.arraycopy(json, 0, withNewline, 0, json.length);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String role(Sample sample, Turn turn) {
        if (Turn.HUMAN.equals(turn.from())) {
            return USER;
        }
        if (Turn.GPT.equals(turn.from())) {
            return ASSISTANT;
        }
        // Filtering only accepts human/gpt turns; anything else means the accepted store is not what it claims.
        throw new IllegalStateException("sample " + sample.id() + " has a turn from '" + turn.from()
                + "', which ShareGPT cannot express");
    }
}
