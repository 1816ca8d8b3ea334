package io.vlitforge.publication.formats;

import static io.vlitforge.publication.formats.TestReleases.image;
import static io.vlitforge.publication.formats.TestReleases.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Pure unit test of the LLaMA-Factory ShareGPT files; the expected shape is read from LLaMA-Factory's own
 * {@code mllm_demo.json} in the shared fixtures.
 */
class ShareGptFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesTheShapeOfLlamaFactorysMultimodalDemo() throws Exception {
        JsonNode demo = JSON.readTree(Files.readAllBytes(Fixtures.root().resolve("llama-factory/mllm_demo.json")));
        byte[] img = image(1, 10);
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        new ShareGptFormat().write(new ReleaseContent("demo", "v1", List.of(sample("a", img, "t"))),
                TestReleases.images(img), sink);

        JsonNode ours = JSON.readTree(sink.files.get("sharegpt.json"));
        assertEquals(1, ours.size());
        JsonNode entry = ours.get(0);
        assertEquals(fieldNames(demo.get(0)), fieldNames(entry), "same top-level keys as mllm_demo.json");
        assertEquals(fieldNames(demo.get(0).get("messages").get(0)), fieldNames(entry.get("messages").get(0)),
                "same message keys as mllm_demo.json");
        Set<String> demoRoles = new TreeSet<>();
        demo.forEach(e -> e.get("messages").forEach(m -> demoRoles.add(m.get("role").asText())));
        assertEquals(demoRoles, Set.of("user", "assistant"));
        assertEquals("user", entry.get("messages").get(0).get("role").asText());
        assertEquals("<image>\nDescribe.", entry.get("messages").get(0).get("content").asText());
        assertEquals("assistant", entry.get("messages").get(1).get("role").asText());
        assertEquals(List.of(ReleaseContent.pathInRelease(sample("a", img, "t"))),
                List.of(entry.get("images").get(0).asText()));
        assertTrue(entry.get("images").get(0).asText().startsWith("images/"), "relative to the release folder");
    }

    @Test
    void writesTheDatasetInfoEntryLlamaFactoryReadsItWith() throws Exception {
        byte[] img = image(1, 10);
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        new ShareGptFormat().write(new ReleaseContent("demo", "v1", List.of(sample("a", img, "t"))),
                TestReleases.images(img), sink);

        JsonNode info = JSON.readTree(sink.files.get("dataset_info.json"));
        assertEquals(Set.of("demo"), fieldNames(info), "one entry, named after the release");
        JsonNode entry = info.get("demo");
        assertEquals("sharegpt.json", entry.get("file_name").asText());
        assertEquals("sharegpt", entry.get("formatting").asText());
        assertEquals("messages", entry.get("columns").get("messages").asText());
        assertEquals("images", entry.get("columns").get("images").asText());
        assertEquals("role", entry.get("tags").get("role_tag").asText());
        assertEquals("content", entry.get("tags").get("content_tag").asText());
        assertEquals("user", entry.get("tags").get("user_tag").asText());
        assertEquals("assistant", entry.get("tags").get("assistant_tag").asText());
    }

    @Test
    void theSameSamplesInAnyOrderGiveIdenticalBytes() {
        byte[] img = image(2, 10);
        List<Sample> samples = new ArrayList<>(List.of(sample("x", img, "t"), sample("y", img, "t"),
                sample("z", img, "u")));
        TestReleases.MemorySink first = new TestReleases.MemorySink();
        new ShareGptFormat().write(new ReleaseContent("n", "v1", samples), TestReleases.images(img), first);
        Collections.reverse(samples);
        TestReleases.MemorySink second = new TestReleases.MemorySink();
        new ShareGptFormat().write(new ReleaseContent("n", "v1", samples), TestReleases.images(img), second);
        assertEquals(first.files.keySet(), second.files.keySet());
        first.files.forEach((path, bytes) -> assertArrayEquals(bytes, second.files.get(path), path));
    }

    @Test
    void refusesATurnShareGptCannotExpress() {
        byte[] img = image(3, 10);
        Sample odd = new Sample(1, "a", "x", "images/aa/bb/x.jpeg", List.of(new Turn("system", "Be brief.")), "t",
                "c", new Licence("l", "u"), null, null, "2026-01-01T00:00:00Z");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ShareGptFormat().write(
                new ReleaseContent("n", "v1", List.of(odd)), TestReleases.images(img), new TestReleases.MemorySink()));
        assertTrue(e.getMessage().contains("system"), e.getMessage());
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}
