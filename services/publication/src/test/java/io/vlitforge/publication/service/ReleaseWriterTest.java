package io.vlitforge.publication.service;

import static io.vlitforge.publication.formats.TestReleases.image;
import static io.vlitforge.publication.formats.TestReleases.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.publication.formats.TestReleases;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pure unit test of a release's files and manifest across formats: nothing external. */
class ReleaseWriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final byte[] img1 = image(1, 5000);
    private final byte[] img2 = image(2, 5000);

    private List<Sample> samples() {
        return new ArrayList<>(List.of(sample("b", img1, "brief_caption"), sample("a", img1, "object_counting"),
                sample("c", img2, "brief_caption")));
    }

    private ReleaseWriter.ReleaseFiles write(List<String> formats, List<Sample> samples,
            TestReleases.MemorySink sink) {
        return new ReleaseWriter(20480).write("demo", "v1", formats, samples, TestReleases.images(img1, img2), sink);
    }

    @Test
    void withoutFormatsWritesTheLlavaReleaseItAlwaysDid() throws Exception {
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        ReleaseWriter.ReleaseFiles files = write(null, samples(), sink);

        assertEquals(List.of("llava.json", "samples.txt"), sink.files.keySet().stream()
                .filter(p -> !p.startsWith("charts/") && !p.endsWith(".md")).toList(),
                "one format file and the sample list, then the card");
        assertEquals(samples().stream().map(s -> s.id() + "\n").sorted().reduce("", String::concat),
                new String(sink.files.get("samples.txt"), java.nio.charset.StandardCharsets.UTF_8));
        JsonNode manifest = JSON.readTree(files.manifestJson());
        List<String> card = new java.util.ArrayList<>();
        manifest.get("card").forEach(f -> card.add(f.asText()));
        assertTrue(card.containsAll(List.of("README.md", "CREDITS.md", "charts/tasks.png")), card.toString());
        assertEquals(Ids.sha256Hex(sink.files.get("README.md")), manifest.get("files").get("README.md").asText());
        assertEquals(3, manifest.get("samplesBySource").get("unknown").asLong(), "test samples have no lineage");
        assertEquals("[\"llava\"]", manifest.get("formats").toString());
        assertFalse(manifest.has("shardMaxBytes"));
        assertEquals(3, manifest.get("samples").asLong());
        assertEquals(2, manifest.get("images").asLong());
        assertEquals(2, manifest.get("samplesByTask").get("brief_caption").asLong());
        assertEquals(2, manifest.get("imagesByLicence").get("CC BY 2.0").asLong());
        assertEquals(Ids.sha256Hex(sink.files.get("llava.json")), manifest.get("files").get("llava.json").asText());
        String img2Path = "images/" + TestReleases.imageKey(img2).substring("images/".length());
        assertEquals(Ids.imageId(img2), manifest.get("files").get(img2Path).asText());
        assertEquals(img2Path, files.imageCopies().get(TestReleases.imageKey(img2)));
    }

    @Test
    void everyFormatsFilesAreInTheManifestWithTheirSha256() throws Exception {
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        ReleaseWriter.ReleaseFiles files = write(List.of("webdataset", "sharegpt", "llava"), samples(), sink);

        JsonNode manifest = JSON.readTree(files.manifestJson());
        assertEquals("[\"llava\",\"sharegpt\",\"webdataset\"]", manifest.get("formats").toString(),
                "canonical order whatever the request's");
        assertEquals(20480, manifest.get("shardMaxBytes").asLong());
        assertEquals("[\"sharegpt.json\",\"dataset_info.json\"]",
                manifest.get("formatFiles").get("sharegpt").toString());
        assertTrue(manifest.get("formatFiles").get("webdataset").size() >= 2, "3 samples of 5 kB in 20 kB shards");
        for (Map.Entry<String, byte[]> file : sink.files.entrySet()) {
            assertEquals(Ids.sha256Hex(file.getValue()), manifest.get("files").get(file.getKey()).asText(),
                    file.getKey());
        }
        assertEquals(sink.files.size() + 2, manifest.get("files").size(), "every written file and both images");
    }

    @Test
    void theSameAcceptedSetAndRequestGiveByteIdenticalFiles() {
        List<Sample> samples = samples();
        TestReleases.MemorySink first = new TestReleases.MemorySink();
        ReleaseWriter.ReleaseFiles a = write(List.of("llava", "sharegpt", "webdataset"), samples, first);
        Collections.reverse(samples);
        TestReleases.MemorySink second = new TestReleases.MemorySink();
        ReleaseWriter.ReleaseFiles b = write(List.of("webdataset", "sharegpt", "llava", "llava"), samples, second);

        assertArrayEquals(a.manifestJson(), b.manifestJson());
        assertEquals(first.files.keySet(), second.files.keySet());
        first.files.forEach((path, bytes) -> assertArrayEquals(bytes, second.files.get(path), path));
    }

    @Test
    void anUnknownOrEmptyFormatListIsRefusedWithTheKnownOnes() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> write(List.of("llava", "arrow"), samples(), new TestReleases.MemorySink()));
        assertEquals("unknown format 'arrow'; known formats: llava, sharegpt, webdataset, parquet", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> write(List.of(), samples(), new TestReleases.MemorySink()));
    }
}
