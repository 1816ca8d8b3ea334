package io.vlitforge.publication.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of the release files: nothing external. */
class LlavaReleaseWriterTest {

    static Sample sample(String id, String imageId, String task) {
        return new Sample(1, id, imageId, "images/" + imageId.substring(0, 2) + "/" + imageId.substring(2, 4) + "/"
                + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe."), Turn.gpt("A cat " + id + ".")),
                task, "c", new Licence("CC BY 2.0", "u"), null, null, "2026-01-01T00:00:00Z");
    }

    @Test
    void writesLlavaJsonAndAManifestThatDescribesIt() throws Exception {
        String img1 = Ids.imageId(new byte[] {1});
        String img2 = Ids.imageId(new byte[] {2});
        List<Sample> samples = List.of(sample("b", img1, "brief_caption"), sample("a", img1, "object_counting"),
                sample("c", img2, "brief_caption"));
        LlavaReleaseWriter.ReleaseFiles files = new LlavaReleaseWriter().build("demo", "v1", samples);

        JsonNode llava = new ObjectMapper().readTree(files.llavaJson());
        assertEquals(3, llava.size());
        assertEquals("a", llava.get(0).get("id").asText(), "samples are in id order");
        assertEquals(img1.substring(0, 2) + "/" + img1.substring(2, 4) + "/" + img1 + ".jpeg",
                llava.get(0).get("image").asText());
        assertEquals("human", llava.get(0).get("conversations").get(0).get("from").asText());
        assertTrue(llava.get(0).get("conversations").get(0).get("value").asText().startsWith("<image>\n"));

        JsonNode manifest = new ObjectMapper().readTree(files.manifestJson());
        assertEquals(3, manifest.get("samples").asLong());
        assertEquals(2, manifest.get("images").asLong());
        assertEquals(2, manifest.get("samplesByTask").get("brief_caption").asLong());
        assertEquals(2, manifest.get("imagesByLicence").get("CC BY 2.0").asLong());
        assertEquals(Ids.sha256Hex(files.llavaJson()), manifest.get("files").get("llava.json").asText());
        assertEquals(img2, manifest.get("files").get("images/" + img2.substring(0, 2) + "/" + img2.substring(2, 4)
                + "/" + img2 + ".jpeg").asText());
    }

    @Test
    void theSameAcceptedSetGivesIdenticalBytesInAnyOrder() {
        String img = Ids.imageId(new byte[] {3});
        List<Sample> samples = new ArrayList<>(List.of(sample("x", img, "t"), sample("y", img, "t")));
        LlavaReleaseWriter.ReleaseFiles first = new LlavaReleaseWriter().build("n", "v1", samples);
        java.util.Collections.reverse(samples);
        LlavaReleaseWriter.ReleaseFiles second = new LlavaReleaseWriter().build("n", "v1", samples);
        assertArrayEquals(first.llavaJson(), second.llavaJson());
        assertArrayEquals(first.manifestJson(), second.manifestJson());
    }
}
