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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit test of the Parquet files, read back with an independent reader (DuckDB's C++ Parquet reader over
 * JDBC, in-process): nothing external.
 */
class ParquetFormatTest {

    private final byte[] small1 = image(1, 9000);
    private final byte[] small2 = image(2, 9000);

    private List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            samples.add(sample("s" + i, i % 2 == 0 ? small1 : small2, i < 3 ? "brief_caption" : "counting"));
        }
        return samples;
    }

    private Map<String, byte[]> write(List<Sample> samples, long max) {
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        new ParquetFormat(max).write(new ReleaseContent("n", "v1", samples), TestReleases.images(small1, small2),
                sink);
        return sink.files;
    }

    @Test
    void anIndependentParquetReaderSeesEverySampleWithItsImageAndTurns(@TempDir Path dir) throws Exception {
        Map<String, byte[]> files = write(samples(), 1L << 20);
        assertEquals(List.of("parquet/train-00000.parquet"), List.copyOf(files.keySet()));
        Path file = dir.resolve("train-00000.parquet");
        Files.write(file, files.get("parquet/train-00000.parquet"));

        try (Connection db = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:", new java.util.Properties()); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT id, image.bytes AS bytes, image.path AS path, "
                    + "len(conversations) AS turns, conversations[1].\"from\" AS first_from, "
                    + "conversations[1].value AS first_value, conversations[2].\"from\" AS second_from, task, image_id "
                    + "FROM read_parquet('" + file + "') ORDER BY id");
            int n = 0;
            while (rows.next()) {
                String id = rows.getString("id");
                assertEquals("s" + n, id);
                java.sql.Blob blob = rows.getBlob("bytes");
                byte[] bytes = blob.getBinaryStream().readAllBytes();
                assertArrayEquals(n % 2 == 0 ? small1 : small2, bytes, "the image bytes are embedded as they are");
                assertEquals(Ids.sha256Hex(bytes), rows.getString("image_id"));
                assertTrue(rows.getString("path").startsWith("images/"));
                assertEquals(2, rows.getInt("turns"));
                assertEquals("human", rows.getString("first_from"));
                assertTrue(rows.getString("first_value").startsWith("<image>\n"));
                assertEquals("gpt", rows.getString("second_from"));
                assertEquals(n < 3 ? "brief_caption" : "counting", rows.getString("task"));
                n++;
            }
            assertEquals(6, n);

            ResultSet meta = sql.executeQuery("SELECT decode(value) FROM parquet_kv_metadata('" + file
                    + "') WHERE decode(key) = 'huggingface'");
            assertTrue(meta.next(), "the file carries the huggingface features entry");
            JsonNode features = new ObjectMapper().readTree(meta.getString(1)).path("info").path("features");
            assertEquals("Image", features.path("image").path("_type").asText(),
                    "datasets decodes the image column as an Image feature");
            assertEquals("string", features.path("conversations").path(0).path("value").path("dtype").asText());
        }
    }

    @Test
    void filesAreBoundedInBytesAndRebuildsAreByteIdentical() {
        Map<String, byte[]> files = write(samples(), 20_000);
        assertTrue(files.size() >= 3, "six 9 kB rows do not fit one 20 kB file: " + files.keySet());
        assertTrue(files.containsKey("parquet/train-00000.parquet") && files.containsKey("parquet/train-00001.parquet"));
        Map<String, byte[]> again = write(samples(), 20_000);
        assertEquals(files.keySet(), again.keySet());
        files.forEach((path, bytes) -> assertArrayEquals(bytes, again.get(path), path + " is rebuilt identically"));
    }
}
