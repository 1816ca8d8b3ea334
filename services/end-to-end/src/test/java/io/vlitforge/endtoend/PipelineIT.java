package io.vlitforge.endtoend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.objectstore.MinioClients;
import io.vlitforge.shared.testing.Fixtures;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline: the four services as separate processes against the real Kafka broker, PostgreSQL
 * and S3 server that {@code bin/vlit test} starts; nothing is stubbed. Ingests the real COCO fixture
 * (80 images), publishes a release, downloads it and checks it against the images and the database.
 * The run has its own database, bucket and topic prefix, so earlier runs cannot leak into it.
 */
class PipelineIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RUN = "e2e" + UUID.randomUUID().toString().substring(0, 8);
    private static final String DATABASE = "vlit_e2e";
    private static final String BUCKET = "vlit-" + RUN;

    private static ServiceProcesses services;
    private static MinioClient s3;
    private static String jdbcBase;

    @BeforeAll
    static void startServices() throws Exception {
        String kafka = required("VLIT_KAFKA_BOOTSTRAP");
        String s3Endpoint = required("VLIT_S3_ENDPOINT");
        String accessKey = env("VLIT_S3_ACCESS_KEY", "vlit");
        String secretKey = env("VLIT_S3_SECRET_KEY", "vlit-secret-key");
        String dbHost = env("VLIT_DB_HOST", "127.0.0.1");
        String dbPort = env("VLIT_DB_PORT", "5432");
        jdbcBase = "jdbc:postgresql://" + dbHost + ":" + dbPort + "/";
        try (Connection c = DriverManager.getConnection(jdbcBase + "postgres", env("VLIT_DB_USER", "postgres"),
                System.getenv("VLIT_DB_PASSWORD")); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + DATABASE + " with (force)");
            st.execute("create database " + DATABASE);
        }
        s3 = MinioClients.create(s3Endpoint, accessKey, secretKey);
        Map<String, String> environment = new HashMap<>();
        environment.put("VLIT_KAFKA_BOOTSTRAP", kafka);
        environment.put("VLIT_S3_ENDPOINT", s3Endpoint);
        environment.put("VLIT_S3_ACCESS_KEY", accessKey);
        environment.put("VLIT_S3_SECRET_KEY", secretKey);
        environment.put("VLIT_S3_BUCKET", BUCKET);
        environment.put("VLIT_DB_HOST", dbHost);
        environment.put("VLIT_DB_PORT", dbPort);
        environment.put("VLIT_DB_NAME", DATABASE);
        environment.put("VLIT_TOPIC_PREFIX", RUN + ".");
        services = new ServiceProcesses(Fixtures.repositoryRoot(), Path.of("target", "e2e-logs"), environment);
        services.awaitReady(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (services != null) {
            services.close();
        }
    }

    @Test
    void cocoImagesFlowThroughAllFourServicesIntoAValidLlavaRelease() throws Exception {
        Path coco = Fixtures.cocoMini();
        JsonNode ingest = post("ingestion", "/imports/coco", Map.of(
                "annotationsDir", coco.resolve("annotations").toString(),
                "imagesDir", coco.resolve("images").toString(), "dataset", "coco2017-mini"), 200);
        assertEquals(80, ingest.get("imagesNew").asInt());
        assertEquals(0, ingest.get("imagesRejected").asInt());

        Map<String, JsonNode> stats = awaitQuiet(80);
        long generated = stats.get("generation").get("samples").asLong();
        assertEquals(240, generated, "three tasks for every COCO image (all have captions and boxes)");

        JsonNode release = post("publication", "/releases", Map.of("name", "e2e"), 201);
        byte[] llavaBytes = download(release.get("llavaUrl").asText());
        JsonNode llava = JSON.readTree(llavaBytes);
        JsonNode manifest = JSON.readTree(download(release.get("manifestUrl").asText()));
        String prefix = release.get("prefix").asText();

        // The LLaVA file parses and every entry has LLaVA's shape.
        assertTrue(llava.isArray());
        Set<String> sampleIds = new HashSet<>();
        Map<String, String> imageHashes = new HashMap<>();
        for (JsonNode entry : llava) {
            Set<String> keys = new HashSet<>();
            entry.fieldNames().forEachRemaining(keys::add);
            assertEquals(Set.of("id", "image", "conversations"), keys);
            assertTrue(sampleIds.add(entry.get("id").asText()), "sample ids are unique");
            JsonNode turns = entry.get("conversations");
            assertTrue(turns.size() >= 2 && turns.size() % 2 == 0);
            int imageTokens = 0;
            for (int i = 0; i < turns.size(); i++) {
                assertEquals(i % 2 == 0 ? "human" : "gpt", turns.get(i).get("from").asText());
                String value = turns.get(i).get("value").asText();
                assertFalse(value.isBlank());
                imageTokens += value.split("<image>", -1).length - 1;
            }
            assertEquals(1, imageTokens);
            assertTrue(turns.get(0).get("value").asText().startsWith("<image>\n"));
            imageHashes.put(entry.get("image").asText(), null);
        }

        // Every referenced image is in the release, with the bytes its name promises.
        for (String image : imageHashes.keySet()) {
            byte[] bytes = read(prefix + "images/" + image);
            String sha = Ids.sha256Hex(bytes);
            String expected = image.substring(image.lastIndexOf('/') + 1, image.lastIndexOf('.'));
            assertEquals(expected, sha, image);
            assertEquals(sha, manifest.get("files").get("images/" + image).asText());
        }
        assertEquals(80, imageHashes.size());
        assertEquals(Ids.sha256Hex(llavaBytes), manifest.get("files").get("llava.json").asText());

        // Counts agree with the database of every service.
        assertEquals(llava.size(), manifest.get("samples").asLong());
        assertEquals(llava.size(), count("select count(*) from publication.accepted_samples"));
        assertEquals(llava.size(), count("select count(*) from filtering.verdicts where outcome = 'ACCEPTED'"));
        assertEquals(generated, count("select count(*) from filtering.verdicts"));
        assertEquals(generated, count("select count(*) from generation.generated_samples"));
        assertEquals(80, count("select count(*) from ingestion.images"));
        Iterator<Map.Entry<String, JsonNode>> tasks = manifest.get("samplesByTask").fields();
        while (tasks.hasNext()) {
            Map.Entry<String, JsonNode> task = tasks.next();
            assertEquals(task.getValue().asLong(), count("select count(*) from publication.accepted_samples where task = '"
                    + task.getKey() + "'"), task.getKey());
        }
        long licensed = 0;
        for (Iterator<Map.Entry<String, JsonNode>> l = manifest.get("imagesByLicence").fields(); l.hasNext(); ) {
            Map.Entry<String, JsonNode> licence = l.next();
            assertFalse(licence.getKey().equals("unknown"), "every COCO image carries its licence");
            licensed += licence.getValue().asLong();
        }
        assertEquals(80, licensed);

        // A second ingest of the same folder adds nothing anywhere.
        String before = dataCounts(stats());
        JsonNode again = post("ingestion", "/imports/coco", Map.of(
                "annotationsDir", coco.resolve("annotations").toString(),
                "imagesDir", coco.resolve("images").toString(), "dataset", "coco2017-mini"), 200);
        assertEquals(0, again.get("imagesNew").asInt());
        assertEquals(80, again.get("imagesAlreadyPresent").asInt());
        assertEquals(0, again.get("emitted").asInt());
        Thread.sleep(3000);
        assertEquals(before, dataCounts(stats()), "nothing moved after the second ingest");

        // Rebuilding from the same accepted set gives identical bytes.
        JsonNode rebuilt = post("publication", "/releases", Map.of("name", "e2e"), 201);
        assertEquals("v2", rebuilt.get("version").asText());
        assertArrayEquals(llavaBytes, download(rebuilt.get("llavaUrl").asText()));
    }

    /** Waits until every ingested image is generated from and every sample is decided and stored. */
    private static Map<String, JsonNode> awaitQuiet(int images) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        Map<String, JsonNode> previous = null;
        while (true) {
            Map<String, JsonNode> s = stats();
            boolean quiet = s.get("generation").get("imagesProcessed").asLong() >= images
                    && s.get("filtering").get("verdicts").asLong() == s.get("generation").get("samples").asLong()
                    && s.get("publication").get("accepted").asLong() == s.get("filtering").get("accepted").asLong();
            if (quiet && s.toString().equals(String.valueOf(previous))) {
                return s;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("pipeline not quiet after 3 minutes: " + s + "\ngeneration log:\n"
                        + services.tail("generation"));
            }
            previous = s;
            Thread.sleep(1000);
        }
    }

    /** Everything that counts data (not import runs or releases, which a second ingest is expected to add to). */
    private static String dataCounts(Map<String, JsonNode> s) {
        return s.get("ingestion").get("images") + " " + s.get("ingestion").get("imageSources") + " "
                + s.get("generation") + " " + s.get("filtering") + " " + s.get("publication").get("accepted");
    }

    private static Map<String, JsonNode> stats() throws Exception {
        Map<String, JsonNode> all = new HashMap<>();
        for (String service : ServiceProcesses.SERVICES) {
            all.put(service, get(service, "/stats"));
        }
        return new java.util.TreeMap<>(all);
    }

    private static JsonNode get(String service, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(services.url(service) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode post(String service, String path, Object body, int expectedStatus) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(services.url(service) + path))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static byte[] download(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    private static byte[] read(String key) throws Exception {
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            return in.readAllBytes();
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcBase + DATABASE, env("VLIT_DB_USER", "postgres"),
                System.getenv("VLIT_DB_PASSWORD")); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the suite with bin/vlit test, which starts "
                    + "Kafka and the object store and sets it");
        }
        return value;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
