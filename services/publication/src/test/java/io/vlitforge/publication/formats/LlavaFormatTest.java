package io.vlitforge.publication.formats;

import static io.vlitforge.publication.formats.TestReleases.image;
import static io.vlitforge.publication.formats.TestReleases.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of llava.json: nothing external. */
class LlavaFormatTest {

    @Test
    void writesLlavaJsonInSampleIdOrderWithImagesRelativeToTheImageFolder() throws Exception {
        byte[] img = image(1, 10);
        String id = Ids.imageId(img);
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        new LlavaFormat().write(new ReleaseContent("n", "v1", List.of(sample("b", img, "t"), sample("a", img, "t"))),
                TestReleases.images(img), sink);

        assertEquals(List.of("llava.json"), List.copyOf(sink.files.keySet()));
        JsonNode llava = new ObjectMapper().readTree(sink.files.get("llava.json"));
        assertEquals(2, llava.size());
        assertEquals("a", llava.get(0).get("id").asText(), "samples are in id order");
        assertEquals(id.substring(0, 2) + "/" + id.substring(2, 4) + "/" + id + ".jpeg",
                llava.get(0).get("image").asText());
        assertEquals("human", llava.get(0).get("conversations").get(0).get("from").asText());
        assertTrue(llava.get(0).get("conversations").get(0).get("value").asText().startsWith("<image>\n"));
    }

    @Test
    void theSameSamplesInAnyOrderGiveIdenticalBytes() {
        byte[] img = image(2, 10);
        List<Sample> samples = new ArrayList<>(List.of(sample("x", img, "t"), sample("y", img, "t")));
        TestReleases.MemorySink first = new TestReleases.MemorySink();
        new LlavaFormat().write(new ReleaseContent("n", "v1", samples), TestReleases.images(img), first);
        Collections.reverse(samples);
        TestReleases.MemorySink second = new TestReleases.MemorySink();
        new LlavaFormat().write(new ReleaseContent("n", "v1", samples), TestReleases.images(img), second);
        assertArrayEquals(first.files.get("llava.json"), second.files.get("llava.json"));
    }
}
