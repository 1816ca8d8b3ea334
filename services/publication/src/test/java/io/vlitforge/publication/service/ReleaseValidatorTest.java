package io.vlitforge.publication.service;

import static io.vlitforge.publication.formats.TestReleases.image;
import static io.vlitforge.publication.formats.TestReleases.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.publication.formats.TestReleases;
import io.vlitforge.shared.events.Sample;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Pure unit test of the read-back checks over an in-memory release folder: nothing external. */
class ReleaseValidatorTest {

    private static final List<String> ALL = List.of("llava", "sharegpt", "webdataset", "parquet");
    private final byte[] img1 = image(1, 5000);
    private final byte[] img2 = image(2, 5000);

    /** A release folder in memory: what the service would have put in the object store. */
    private record Folder(ReleaseWriter.ReleaseFiles release, Map<String, byte[]> files) {
        void validate() {
            new ReleaseValidator().validate(release, path -> {
                byte[] bytes = files.get(path);
                if (bytes == null) {
                    throw new NoSuchFileException(path);
                }
                return new ByteArrayInputStream(bytes);
            });
        }
    }

    private Folder write(List<String> formats, List<Sample> samples) {
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        ReleaseWriter.ReleaseFiles release = new ReleaseWriter(20480).write("demo", "v1", formats, samples,
                TestReleases.images(img1, img2), sink);
        Map<String, byte[]> files = new TreeMap<>(sink.files);
        release.imageCopies().forEach((key, path) -> files.put(path,
                TestReleases.imageKey(img1).equals(key) ? img1 : img2));
        return new Folder(release, files);
    }

    private List<Sample> good() {
        return List.of(sample("a", img1, "t"), sample("b", img2, "t"), sample("c", img1, "u"));
    }

    private static String failedCheck(Folder folder) {
        return assertThrows(ReleaseValidationException.class, folder::validate).check();
    }

    @Test
    void aCompleteReleaseInEveryFormatPasses() {
        write(ALL, good()).validate();
        write(List.of("llava"), good()).validate();
    }

    @Test
    void aSampleWithTwoImageTokensFailsInEveryFormat() {
        List<Sample> samples = List.of(sample("a", img1, "t"), sample("b", img2, "t", "<image>\nAnd this?"));
        assertEquals("llava.image_tokens", failedCheck(write(List.of("llava"), samples)));
        assertEquals("sharegpt.image_tokens", failedCheck(write(List.of("sharegpt"), samples)));
        assertEquals("webdataset.image_tokens", failedCheck(write(List.of("webdataset"), samples)));
        assertEquals("parquet.image_tokens", failedCheck(write(List.of("parquet"), samples)));
    }

    @Test
    void aMissingImageFailsThePresenceCheck() {
        Folder folder = write(ALL, good());
        folder.files().remove(folder.release().imageCopies().get(TestReleases.imageKey(img2)));
        assertEquals("files.present", failedCheck(folder));
    }

    @Test
    void anImageWithOtherBytesFailsItsSha256() {
        Folder folder = write(ALL, good());
        folder.files().put(folder.release().imageCopies().get(TestReleases.imageKey(img1)), image(9, 5000));
        assertEquals("files.sha256", failedCheck(folder));
    }

    @Test
    void aTruncatedShardFailsToParse() {
        Folder folder = write(List.of("webdataset"), good());
        byte[] shard = folder.files().get("shards/shard-000000.tar");
        folder.files().put("shards/shard-000000.tar", Arrays.copyOf(shard, 700));
        assertEquals("webdataset.tar_parse", failedCheck(folder));
    }

    @Test
    void aReleaseThatReferencesItsImagesHoldsNoCopiesAndPointsAtTheStore() {
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        ReleaseWriter.ReleaseFiles release = new ReleaseWriter(20480).write("demo", "v1", ALL, good(),
                new ReleaseWriter.Inputs(Map.of(), null, Map.of(), true), TestReleases.images(img1, img2), sink);
        assertTrue(release.imageCopies().isEmpty(), "nothing to copy");
        assertEquals(2, release.referencedImages().size());
        assertTrue(release.files().keySet().stream().noneMatch(p -> p.startsWith("images/")));
        String sharegpt = new String(sink.files.get("sharegpt.json"), StandardCharsets.UTF_8);
        assertTrue(sharegpt.contains("\"../../../images/" + TestReleases.imageKey(img1).substring("images/".length())),
                sharegpt);
        new Folder(release, new TreeMap<>(sink.files)).validate();
    }

    @Test
    void aTruncatedParquetFileOrAChartThatIsNotAPngFailsItsCheck() {
        Folder folder = write(List.of("parquet"), good());
        byte[] parquet = folder.files().get("parquet/train-00000.parquet");
        folder.files().put("parquet/train-00000.parquet", Arrays.copyOf(parquet, parquet.length / 2));
        assertEquals("parquet.parse", failedCheck(folder));

        Folder card = write(List.of("llava"), good());
        card.files().put("charts/tasks.png", "not a png".getBytes(StandardCharsets.UTF_8));
        assertEquals("card.charts", failedCheck(card));
    }

    @Test
    void aJsonFileThatDoesNotParseFailsItsFormatsParseCheck() {
        Folder folder = write(ALL, good());
        folder.files().put("sharegpt.json", "[{\"messages\": [".getBytes(StandardCharsets.UTF_8));
        assertEquals("sharegpt.parse", failedCheck(folder));
    }

    @Test
    void aShareGptImageOutsideTheReleaseFailsThePresenceCheck() {
        Folder folder = write(List.of("sharegpt"), good());
        String json = new String(folder.files().get("sharegpt.json"), StandardCharsets.UTF_8)
                .replaceFirst("\"images/", "\"elsewhere/");
        folder.files().put("sharegpt.json", json.getBytes(StandardCharsets.UTF_8));
        assertEquals("sharegpt.images_present", failedCheck(folder));
    }
}
