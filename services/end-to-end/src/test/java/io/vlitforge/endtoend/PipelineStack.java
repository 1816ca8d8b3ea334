package io.vlitforge.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.MinioClient;
import io.vlitforge.shared.objectstore.MinioClients;
import io.vlitforge.shared.testing.Fixtures;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The four services as separate processes on a database, bucket and topic prefix of their own, against
 * the Kafka broker, PostgreSQL and S3 server that {@code bin/vlit test} starts (their addresses come from
 * the VLIT_* variables it sets), with the HTTP calls the end-to-end tests make.
 */
final class PipelineStack implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final String run;
    final String database;
    final String bucket;
    final String kafka;
    final MinioClient s3;
    final ServiceProcesses services;
    private final String jdbcBase;
    /** This run's admin API key: the services accept it (VLIT_API_KEYS) and every call here sends it. */
    private final String apiKey;

    private PipelineStack(String run, String database, String bucket, String kafka, MinioClient s3,
            ServiceProcesses services, String jdbcBase, String apiKey) {
        this.run = run;
        this.database = database;
        this.bucket = bucket;
        this.kafka = kafka;
        this.s3 = s3;
        this.services = services;
        this.jdbcBase = jdbcBase;
        this.apiKey = apiKey;
    }

    /** Recreates {@code database}, starts the services and waits until all four are ready. */
    static PipelineStack start(String runPrefix, String database, String logFolder) throws Exception {
        return start(runPrefix, database, logFolder, Map.of());
    }

    /** As above, with more environment for the services (e.g. a self-instruct step and its endpoint). */
    static PipelineStack start(String runPrefix, String database, String logFolder, Map<String, String> more)
            throws Exception {
        String run = runPrefix + UUID.randomUUID().toString().substring(0, 8);
        String bucket = "vlit-" + run;
        String kafka = required("VLIT_KAFKA_BOOTSTRAP");
        String s3Endpoint = required("VLIT_S3_ENDPOINT");
        String accessKey = env("VLIT_S3_ACCESS_KEY", "vlit");
        String secretKey = env("VLIT_S3_SECRET_KEY", "vlit-secret-key");
        String dbHost = env("VLIT_DB_HOST", "127.0.0.1");
        String dbPort = env("VLIT_DB_PORT", "5432");
        String jdbcBase = "jdbc:postgresql://" + dbHost + ":" + dbPort + "/";
        try (Connection c = DriverManager.getConnection(jdbcBase + "postgres", env("VLIT_DB_USER", "postgres"),
                System.getenv("VLIT_DB_PASSWORD")); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + database + " with (force)");
            st.execute("create database " + database);
        }
        Map<String, String> environment = new HashMap<>();
        // The services refuse API calls without a key: this run's admin key, sent on every call below.
        String apiKey = "e2e-" + UUID.randomUUID();
        environment.put("VLIT_API_KEYS", apiKey + ":ingest+operate+read");
        environment.put("VLIT_KAFKA_BOOTSTRAP", kafka);
        environment.put("VLIT_S3_ENDPOINT", s3Endpoint);
        environment.put("VLIT_S3_ACCESS_KEY", accessKey);
        environment.put("VLIT_S3_SECRET_KEY", secretKey);
        environment.put("VLIT_S3_BUCKET", bucket);
        environment.put("VLIT_DB_HOST", dbHost);
        environment.put("VLIT_DB_PORT", dbPort);
        environment.put("VLIT_DB_NAME", database);
        environment.put("VLIT_TOPIC_PREFIX", run + ".");
        environment.putAll(more);
        ServiceProcesses services = new ServiceProcesses(Fixtures.repositoryRoot(), Path.of("target", logFolder),
                environment);
        try {
            services.awaitReady(Duration.ofMinutes(3));
        } catch (Exception e) {
            services.close();
            throw e;
        }
        return new PipelineStack(run, database, bucket, kafka,
                MinioClients.create(s3Endpoint, accessKey, secretKey), services, jdbcBase, apiKey);
    }

    /** Imports the real COCO fixture (80 images) through the ingestion service. */
    JsonNode ingestCocoFixture() throws Exception {
        Path coco = Fixtures.cocoMini();
        return post("ingestion", "/imports/coco", Map.of(
                "annotationsDir", coco.resolve("annotations").toString(),
                "imagesDir", coco.resolve("images").toString(), "dataset", "coco2017-mini"), 200);
    }

    /** Waits until every ingested image is generated from and every sample is decided and stored. */
    Map<String, JsonNode> awaitQuiet(int images) throws Exception {
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

    /** {@code GET /stats} of every service, by service name. */
    Map<String, JsonNode> stats() throws Exception {
        Map<String, JsonNode> all = new TreeMap<>();
        for (String service : ServiceProcesses.SERVICES) {
            all.put(service, get(service, "/stats"));
        }
        return all;
    }

    JsonNode get(String service, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(services.url(service) + path))
                .header("X-Api-Key", apiKey).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    JsonNode post(String service, String path, Object body, int expectedStatus) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(services.url(service) + path))
                .header("Content-Type", "application/json")
                .header("X-Api-Key", apiKey)
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static byte[] download(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    /** One number from this stack's database. */
    long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcBase + database, env("VLIT_DB_USER", "postgres"),
                System.getenv("VLIT_DB_PASSWORD")); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws InterruptedException {
        services.close();
    }

    static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set: run the suite with bin/vlit test, which starts "
                    + "Kafka and the object store and sets it");
        }
        return value;
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
