package io.vlitforge.publication.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.objectstore.ObjectKeys;
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.Fixtures;
import io.vlitforge.shared.testing.TestObjectStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A release in every format, published by the service in-process against the real Kafka broker, PostgreSQL
 * and S3 server, then read back from S3 with independent readers (Jackson, commons-compress's tar reader,
 * sha256 of the bytes); nothing is stubbed. Fixture images are real COCO pictures.
 */
@QuarkusTest
class ReleaseFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ALL = List.of("llava", "sharegpt", "webdataset", "parquet");
    /** The task of the one invalid sample a test puts in the store, so that it can always be found and removed. */
    private static final String PROBE_TASK = "test.validation-probe";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "vlit.object-store.bucket")
    String bucket;
    @ConfigProperty(name = "vlit.publication.shard-max-bytes")
    long shardMaxBytes;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    @Test
    void publishesEveryFormatAndIndependentReadersLoadThem() throws Exception {
        TestObjectStore store = TestObjectStore.ofService();
        MinioClient s3 = store.client();
        String marker = UUID.randomUUID().toString();
        String[] keys = new String[2];
        String[] ids = new String[2];
        String[] fixtures = {"000000030752.jpg", "000000183872.jpg"};
        for (int i = 0; i < 2; i++) {
            TestObjectStore.StoredImage stored = store.putJpeg(Fixtures.cocoMini().resolve("images").resolve(fixtures[i]));
            ids[i] = stored.imageId();
            keys[i] = stored.key();
        }
        List<Sample> samples = List.of(sample(ids[0], keys[0], "What is this? " + marker),
                sample(ids[0], keys[0], "How many are there? " + marker),
                sample(ids[1], keys[1], "Describe it. " + marker));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            for (Sample s : samples) {
                kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.accepted", s.id(),
                        EventJson.write(new FilteredSample(1, s, Verdict.Outcome.ACCEPTED, List.of()))))
                        .awaitCompletion(Duration.ofSeconds(30));
            }
        }
        awaitStored(samples);
        long acceptedInDatabase = countAccepted();

        String name = "formats-" + marker.substring(0, 8);
        String refused = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "formats", List.of("llava", "arrow")))
                .when().post("/releases").then().statusCode(400).extract().jsonPath().getString("error");
        assertTrue(refused.contains("unknown format 'arrow'"), refused);
        JsonPath release = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "formats", List.of("parquet", "webdataset", "sharegpt", "llava")))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        assertEquals(ALL, release.getList("formats"));
        assertEquals(acceptedInDatabase, release.getLong("samples"), "the release holds the accepted set");
        String root = release.getString("prefix");

        byte[] manifestBytes = read(s3, root + "manifest.json");
        assertEquals(release.getString("manifestSha256"), Ids.sha256Hex(manifestBytes));
        JsonNode manifest = JSON.readTree(manifestBytes);
        List<String> manifestFormats = new ArrayList<>();
        manifest.get("formats").forEach(f -> manifestFormats.add(f.asText()));
        assertEquals(ALL, manifestFormats);
        Map<String, String> files = new TreeMap<>();
        manifest.get("files").fields().forEachRemaining(f -> files.put(f.getKey(), f.getValue().asText()));
        for (Map.Entry<String, String> file : files.entrySet()) {
            assertEquals(file.getValue(), Ids.sha256Hex(read(s3, root + file.getKey())),
                    file.getKey() + " has the sha256 the manifest gives");
        }

        JsonNode sharegpt = JSON.readTree(read(s3, root + "sharegpt.json"));
        assertEquals(release.getLong("samples"), sharegpt.size());
        int ours = 0;
        for (JsonNode entry : sharegpt) {
            int tokens = 0;
            for (JsonNode message : entry.get("messages")) {
                tokens += count(message.get("content").asText(), "<image>");
                ours += message.get("content").asText().contains(marker) ? 1 : 0;
            }
            assertEquals(entry.get("images").size(), tokens, "one <image> per image");
            for (JsonNode image : entry.get("images")) {
                String path = image.asText();
                String sha = path.substring(path.lastIndexOf('/') + 1, path.lastIndexOf('.'));
                assertEquals(sha, Ids.sha256Hex(read(s3, root + path)), path + " holds the image it names");
            }
        }
        assertEquals(3, ours, "this test's samples are in sharegpt.json");
        JsonNode info = JSON.readTree(read(s3, root + "dataset_info.json")).get(name);
        assertEquals("sharegpt.json", info.get("file_name").asText());
        assertEquals("sharegpt", info.get("formatting").asText());
        assertEquals("images", info.get("columns").get("images").asText());

        List<String> shards = list(s3, root + "shards/");
        List<String> listed = new ArrayList<>();
        manifest.get("formatFiles").get("webdataset").forEach(s -> listed.add(root + s.asText()));
        assertEquals(listed, shards, "the manifest lists exactly the shards in the store");
        assertTrue(shards.size() >= 2, "fixture images over a " + shardMaxBytes + "-byte bound: " + shards);
        Set<String> keysInShards = new HashSet<>();
        for (String shard : shards) {
            byte[] tar = read(s3, shard);
            Map<String, Map<String, byte[]>> byKey = untar(tar);
            assertTrue(tar.length <= shardMaxBytes || byKey.size() == 1, shard + " is within its bound");
            for (Map.Entry<String, Map<String, byte[]>> sample : byKey.entrySet()) {
                assertTrue(keysInShards.add(sample.getKey()), "each sample once");
                JsonNode json = JSON.readTree(sample.getValue().get("json"));
                assertEquals(sample.getKey(), json.get("id").asText());
                assertEquals(json.get("imageId").asText(), Ids.sha256Hex(sample.getValue().get("jpeg")));
            }
        }
        assertEquals(release.getLong("samples"), keysInShards.size());
        assertTrue(keysInShards.containsAll(samples.stream().map(Sample::id).toList()));

        // Parquet, read by DuckDB's own (C++) reader from a copy of the files.
        Path parquetDir = Files.createTempDirectory("release-parquet");
        for (JsonNode file : manifest.get("formatFiles").get("parquet")) {
            Files.write(parquetDir.resolve(Path.of(file.asText()).getFileName()), read(s3, root + file.asText()));
        }
        try (Connection db = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:", new java.util.Properties()); Statement sql = db.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT id, image.bytes AS bytes, image_id, len(conversations) AS turns "
                    + "FROM read_parquet('" + parquetDir + "/*.parquet')");
            Set<String> parquetIds = new HashSet<>();
            while (rows.next()) {
                assertTrue(parquetIds.add(rows.getString("id")), "each sample once");
                byte[] bytes = rows.getBlob("bytes").getBinaryStream().readAllBytes();
                assertEquals(rows.getString("image_id"), Ids.sha256Hex(bytes), "the embedded image is the sample's");
                assertTrue(rows.getInt("turns") >= 2);
            }
            assertEquals(keysInShards, parquetIds, "Parquet holds the same samples as the shards");
        }

        // The dataset card and the credits describe this release's data; the charts are PNGs.
        String readme = new String(read(s3, root + "README.md"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(readme.contains("| " + samples.get(0).task() + " | "), "the tasks table has this test's task");
        assertTrue(readme.contains(release.getLong("samples") + " samples"), readme);
        String credits = new String(read(s3, root + "CREDITS.md"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(credits.contains(ids[0]) && credits.contains(ids[1]), "every image is credited");
        for (JsonNode file : manifest.get("card")) {
            if (file.asText().endsWith(".png")) {
                assertNotNull(javax.imageio.ImageIO.read(new ByteArrayInputStream(read(s3, root + file.asText()))),
                        file.asText() + " is a PNG");
            }
        }

        JsonPath rebuilt = given().contentType(ContentType.JSON).body(Map.of("name", name, "formats", ALL))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        JsonNode rebuiltManifest = JSON.readTree(read(s3, rebuilt.getString("prefix") + "manifest.json"));
        assertEquals(manifest.get("files"), rebuiltManifest.get("files"), "a rebuild has the same files and hashes");
        for (String file : files.keySet()) {
            if (!file.startsWith("images/")) {
                assertArrayEquals(read(s3, root + file), read(s3, rebuilt.getString("prefix") + file), file);
            }
        }
    }

    @Test
    void aReleaseThatFailsItsReadBackCheckIsNeitherRecordedNorGivenAManifest() throws Exception {
        TestObjectStore store = TestObjectStore.ofService();
        MinioClient s3 = store.client();
        TestObjectStore.StoredImage stored = store.putJpeg(Fixtures.cocoMini().resolve("images/000000183872.jpg"));
        String imageId = stored.imageId();
        String imageKey = stored.key();
        // Filtering would reject two <image> tokens; written straight into the store (not via Kafka, so that
        // nothing redelivers it) to prove that publication does not trust its input either. Removed again
        // in finally, and any leftover of a killed run removed first, so no later release inherits it.
        Sample bad = sample(imageId, imageKey, "Which one? <image>");
        String name = "invalid-" + bad.id().substring(0, 8);
        deleteProbes();
        try {
            try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                    PreparedStatement st = c.prepareStatement("insert into publication.accepted_samples "
                            + "(sample_id, image_id, image_key, task, sample_json, accepted_at) "
                            + "values (?, ?, ?, ?, ?, now())")) {
                st.setString(1, bad.id());
                st.setString(2, imageId);
                st.setString(3, imageKey);
                st.setString(4, PROBE_TASK);
                st.setString(5, EventJson.write(bad));
                st.executeUpdate();
            }
            JsonPath refused = given().contentType(ContentType.JSON)
                    .body(Map.of("name", name, "version", "v1", "formats", ALL))
                    .when().post("/releases").then().statusCode(500).extract().jsonPath();
            assertEquals("llava.image_tokens", refused.getString("check"));
            assertTrue(refused.getString("error").contains(bad.id()), refused.getString("error"));
            given().when().get("/releases/" + name + "/v1").then().statusCode(404);
            assertTrue(list(s3, ObjectKeys.releasePrefix(name, "v1")).stream()
                    .noneMatch(k -> k.endsWith("/manifest.json")), "no manifest claims a release");
        } finally {
            deleteProbes();
        }
        given().contentType(ContentType.JSON).body(Map.of("name", name, "version", "v1", "formats", ALL))
                .when().post("/releases").then().statusCode(201);
    }

    private void deleteProbes() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement("delete from publication.accepted_samples where task = ?")) {
            st.setString(1, PROBE_TASK);
            st.executeUpdate();
        }
    }

    /** Sample key to its members by extension, read with commons-compress's tar reader. */
    private static Map<String, Map<String, byte[]>> untar(byte[] tar) throws Exception {
        Map<String, Map<String, byte[]>> byKey = new TreeMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                int dot = e.getName().indexOf('.');
                byKey.computeIfAbsent(e.getName().substring(0, dot), k -> new TreeMap<>())
                        .put(e.getName().substring(dot + 1), in.readAllBytes());
            }
        }
        byKey.values().forEach(members -> assertEquals(Set.of("jpeg", "json"), members.keySet()));
        return byKey;
    }

    private List<String> list(MinioClient s3, String folder) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Iterator<Result<Item>> it = s3.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(folder)
                .recursive(true).build()).iterator(); it.hasNext();) {
            keys.add(it.next().get().objectName());
        }
        keys.sort(null);
        return keys;
    }

    private byte[] read(MinioClient s3, String key) throws Exception {
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }

    private static int count(String text, String token) {
        return text.split(Pattern.quote(token), -1).length - 1;
    }

    private void awaitStored(List<Sample> samples) throws Exception {
        Await.until("accepted samples stored", () -> {
            try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                    PreparedStatement st = c.prepareStatement(
                            "select count(*) from publication.accepted_samples where sample_id = any(?)")) {
                st.setArray(1, c.createArrayOf("varchar", samples.stream().map(Sample::id).toArray()));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) == samples.size();
                }
            }
        });
    }

    private long countAccepted() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement("select count(*) from publication.accepted_samples");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Sample sample(String imageId, String imageKey, String question) {
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId, imageKey,
                List.of(Turn.human("<image>\n" + question), Turn.gpt("A scene from COCO.")), "brief_caption",
                "caption", new Licence("CC BY 2.0", "http://creativecommons.org/licenses/by/2.0/"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z");
    }
}
