package io.vlitforge.publication.formats;

import static io.vlitforge.publication.formats.TestReleases.image;
import static io.vlitforge.publication.formats.TestReleases.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.ids.Ids;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

/** Pure unit test of the WebDataset shards, read back with commons-compress's tar reader: nothing external. */
class WebDatasetFormatTest {

    private static final long MAX = 4 * 10240;

    private final byte[] small1 = image(1, 9000);
    private final byte[] small2 = image(2, 9000);
    private final byte[] big = image(3, 60_000);

    private List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            samples.add(sample("s" + i, i % 2 == 0 ? small1 : small2, "t"));
        }
        return samples;
    }

    private TestReleases.MemorySink write(List<Sample> samples, long max) {
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        new WebDatasetFormat(max).write(new ReleaseContent("n", "v1", samples),
                TestReleases.images(small1, small2, big), sink);
        return sink;
    }

    @Test
    void cutsShardsBeforeTheyExceedTheBound() throws Exception {
        TestReleases.MemorySink sink = write(samples(), MAX);

        assertTrue(sink.files.size() >= 2, "six 9 kB samples do not fit one 40 kB shard: " + sink.files.keySet());
        List<String> expectedPaths = new ArrayList<>();
        for (int i = 0; i < sink.files.size(); i++) {
            expectedPaths.add(String.format("shards/shard-%06d.tar", i));
        }
        assertEquals(expectedPaths, List.copyOf(sink.files.keySet()));
        int samples = 0;
        for (byte[] shard : sink.files.values()) {
            assertTrue(shard.length <= MAX, "shard of " + shard.length + " bytes exceeds " + MAX);
            samples += read(shard).size() / 2;
        }
        assertEquals(6, samples, "every sample is in exactly one shard");
    }

    @Test
    void eachKeyHoldsItsJsonAndItsImageBytesWithFixedHeaders() throws Exception {
        Map<String, byte[]> members = new LinkedHashMap<>();
        for (byte[] shard : write(samples(), MAX).files.values()) {
            members.putAll(read(shard));
        }
        List<String> names = List.copyOf(members.keySet());
        List<String> sorted = new ArrayList<>(names);
        Collections.sort(sorted);
        assertEquals(sorted, names, "members are in sorted order across shards");
        assertEquals(12, names.size());

        JsonNode json = new ObjectMapper().readTree(members.get("s0.json"));
        assertEquals("s0", json.get("id").asText());
        assertEquals(Ids.imageId(small1), json.get("imageId").asText());
        assertTrue(json.get("conversations").get(0).get("value").asText().startsWith("<image>\n"));
        assertArrayEquals(small1, members.get("s0.jpeg"));
        assertArrayEquals(small2, members.get("s1.jpeg"));

        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(
                write(samples(), MAX).files.get("shards/shard-000000.tar")))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                assertEquals(0, e.getModTime().getTime(), e.getName());
                assertEquals(0, e.getLongUserId());
                assertEquals(0, e.getLongGroupId());
                assertEquals("", e.getUserName());
                assertEquals("", e.getGroupName());
                assertEquals(0644, e.getMode() & 0777);
                assertTrue(e.isFile());
            }
        }
    }

    @Test
    void aSampleLargerThanTheBoundGetsAShardOfItsOwn() throws Exception {
        List<Sample> samples = new ArrayList<>(samples());
        samples.add(sample("s3b", big, "t"));
        TestReleases.MemorySink sink = write(samples, MAX);
        boolean alone = false;
        for (byte[] shard : sink.files.values()) {
            Map<String, byte[]> members = read(shard);
            if (members.containsKey("s3b.json")) {
                assertEquals(2, members.size(), "the oversized sample is never packed with others");
                alone = true;
            } else {
                assertTrue(shard.length <= MAX);
            }
        }
        assertTrue(alone);
    }

    @Test
    void theSameSamplesInAnyOrderGiveByteIdenticalShards() {
        List<Sample> samples = samples();
        TestReleases.MemorySink first = write(samples, MAX);
        Collections.reverse(samples);
        TestReleases.MemorySink second = write(samples, MAX);
        assertEquals(first.files.keySet(), second.files.keySet());
        first.files.forEach((path, bytes) -> assertArrayEquals(bytes, second.files.get(path), path));
    }

    @Test
    void aBoundBelowOneTarBlockIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new WebDatasetFormat(1000));
    }

    /** Member name to bytes, in archive order. */
    private static Map<String, byte[]> read(byte[] shard) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(shard))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                members.put(e.getName(), tar.readAllBytes());
            }
        }
        return members;
    }
}
