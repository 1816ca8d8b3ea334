package io.vlitforge.publication.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.DatasetPublished;
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
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.Fixtures;
import io.vlitforge.shared.testing.TestObjectStore;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The publication service in-process against the real Kafka broker, PostgreSQL and S3 server started by
 * {@code bin/vlit test}; nothing is stubbed. Accepted samples are produced onto its per-run topic.
 */
@QuarkusTest
class ReleaseResourceTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "vlit.object-store.bucket")
    String bucket;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    @Test
    void publishesTheAcceptedSetAsAValidLlavaRelease() throws Exception {
        TestObjectStore store = TestObjectStore.ofService();
        MinioClient s3 = store.client();
        TestObjectStore.StoredImage stored = store.putJpeg(Fixtures.cocoMini().resolve("images/000000030752.jpg"));
        String imageId = stored.imageId();
        String imageKey = stored.key();

        String marker = UUID.randomUUID().toString();
        List<Sample> samples = List.of(sample(imageId, imageKey, "What is this? " + marker),
                sample(imageId, imageKey, "Describe it. " + marker));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            ConsumerTask<String, String> published = kafka.consumeStrings().fromTopics(prefix + "datasets.published");
            for (Sample s : samples) {
                FilteredSample accepted = new FilteredSample(1, s, Verdict.Outcome.ACCEPTED, List.of());
                for (int delivery = 0; delivery < 2; delivery++) {
                    kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.accepted", s.id(),
                            EventJson.write(accepted))).awaitCompletion(Duration.ofSeconds(30));
                }
            }
            kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.accepted", "bad", "[1, 2"))
                    .awaitCompletion(Duration.ofSeconds(30));
            awaitStored(samples);

            String name = "test-" + marker.substring(0, 8);
            JsonPath release = given().contentType(ContentType.JSON).body(Map.of("name", name))
                    .when().post("/releases").then().statusCode(201).extract().jsonPath();
            assertEquals("v1", release.getString("version"));
            assertEquals(List.of("llava"), release.getList("formats"), "without formats, a LLaVA release");

            HttpResponse<byte[]> download = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(release.getString("llavaUrl"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode(), "the presigned link downloads llava.json");
            JsonNode llava = new ObjectMapper().readTree(download.body());
            Set<String> ids = new HashSet<>();
            for (JsonNode entry : llava) {
                ids.add(entry.get("id").asText());
                assertTrue(entry.get("conversations").get(0).get("value").asText().startsWith("<image>\n"));
            }
            assertTrue(ids.containsAll(samples.stream().map(Sample::id).toList()));
            assertEquals(llava.size(), release.getInt("samples"), "each redelivered sample is in the release once");
            JsonPath progress = given().when().get("/release-progress/" + name).then().statusCode(200).extract().jsonPath();
            assertEquals("done", progress.getString("stage"));
            assertEquals("v1", progress.getString("version"));
            assertEquals(release.getInt("samples"), progress.getInt("samples"));
            assertTrue(progress.getInt("filesWritten") >= 3, "llava.json, the card and its files: " + progress.prettify());
            assertEquals(progress.getInt("imagesToCopy"), progress.getInt("imagesCopied"));
            assertTrue(progress.getBoolean("finished"));

            JsonNode manifest = new ObjectMapper().readTree(read(s3, release.getString("prefix") + "manifest.json"));
            assertEquals(Ids.sha256Hex(download.body()), manifest.get("files").get("llava.json").asText());
            String copied = "images/" + imageKey.substring("images/".length());
            assertEquals(imageId, Ids.sha256Hex(read(s3, release.getString("prefix") + copied)),
                    "the release holds the image's exact bytes");

            given().contentType(ContentType.JSON).body(Map.of("name", name, "version", "v1"))
                    .when().post("/releases").then().statusCode(409);
            String noSource = given().contentType(ContentType.JSON)
                    .body(Map.of("name", name, "sources", List.of("no-such-dataset")))
                    .when().post("/releases").then().statusCode(409).extract().path("error");
            assertTrue(noSource.contains("no-such-dataset"), noSource);
            assertTrue(given().when().get("/release-progress/" + name).then().statusCode(200).extract().path("stage")
                    .toString().startsWith("failed: "), "a refused release is shown as failed");
            given().when().get("/release-progress/never-released").then().statusCode(404);
            JsonPath second = given().contentType(ContentType.JSON).body(Map.of("name", name))
                    .when().post("/releases").then().statusCode(201).extract().jsonPath();
            assertEquals("v2", second.getString("version"));

            Await.until("datasets.published for " + name,
                    () -> published.getRecords().stream().anyMatch(r -> name.equals(r.key())));
            DatasetPublished event = published.getRecords().stream().filter(r -> name.equals(r.key()))
                    .map(r -> EventJson.read(r.value(), DatasetPublished.class)).findFirst().orElseThrow();
            assertEquals(release.getLong("samples"), event.samples());
            assertEquals(manifest.get("files").get("llava.json").asText(), event.files().get("llava.json"));
            assertTrue(manifest.get("files").has(copied), "the manifest lists the copied image");
            assertFalse(event.files().containsKey(copied), "the event leaves copied images to the manifest");
            assertEquals(Ids.sha256Hex(read(s3, release.getString("prefix") + "manifest.json")), event.manifestSha256());
            published.stop();
        }
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vlit_publication_releases_total"), "releases are counted");
    }

    @Test
    void aRecipeSelectsAndMergesAndANewVersionRecordsWhatChanged() throws Exception {
        TestObjectStore store = TestObjectStore.ofService();
        MinioClient s3 = store.client();
        TestObjectStore.StoredImage stored = store.putJpeg(Fixtures.cocoMini().resolve("images/000000183872.jpg"));
        String imageId = stored.imageId();
        String imageKey = stored.key();
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String taskA = "vqa-" + marker;
        String taskB = "count-" + marker;
        List<Sample> samples = List.of(sample(imageId, imageKey, "Q1?", taskA), sample(imageId, imageKey, "Q2?", taskA),
                sample(imageId, imageKey, "Q3?", taskA), sample(imageId, imageKey, "How many?", taskB));
        Sample rejected = sample(imageId, imageKey, "Is there a giraffe?", taskA);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            for (Sample s : samples) {
                kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.accepted", s.id(),
                        EventJson.write(new FilteredSample(1, s, Verdict.Outcome.ACCEPTED, List.of()))))
                        .awaitCompletion(Duration.ofSeconds(30));
            }
            kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.rejected", rejected.id(),
                    EventJson.write(new FilteredSample(1, rejected, Verdict.Outcome.REJECTED, List.of(new Verdict(
                            "hallucination", "1", 0.5, 0.0, Verdict.Outcome.REJECTED, "hallucination.absent_object",
                            "giraffe")))))).awaitCompletion(Duration.ofSeconds(30));
        }
        awaitStored(samples);
        Await.until("the rejection is counted", () -> countRejected(rejected.id()) == 1);
        String name = "recipe-" + marker;

        JsonPath v1 = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "recipe", Map.of("tasks", List.of(taskA), "taskCaps", Map.of(taskA, 2))))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        assertEquals(2, v1.getInt("samples"), "three samples of the task, capped at two");

        JsonPath v2 = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "recipe", Map.of("tasks", List.of(taskA, taskB))))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        assertEquals(4, v2.getInt("samples"));
        JsonNode manifest = new ObjectMapper().readTree(read(s3, v2.getString("prefix") + "manifest.json"));
        assertEquals("v1", manifest.get("changes").get("since").asText());
        assertEquals(2, manifest.get("changes").get("added").asInt(), "v2 adds the capped-out sample and the count");
        assertEquals(0, manifest.get("changes").get("removed").asInt());
        JsonNode changes = new ObjectMapper().readTree(read(s3, v2.getString("prefix") + "changes.json"));
        assertEquals(2, changes.get("added").size());
        assertEquals(manifest.get("changes").get("sha256").asText(),
                Ids.sha256Hex(read(s3, v2.getString("prefix") + "changes.json")));
        assertEquals(64, manifest.get("releaseRecipe").get("hash").asText().length(), "the recipe's hash is recorded");
        String card = new String(read(s3, v2.getString("prefix") + "README.md"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(card.contains("5 generated, 1 rejected, 4 accepted"), "the funnel of the recipe's tasks: " + card);
        assertTrue(card.contains("| hallucination.absent_object | 1 |"), card);

        JsonPath merged = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "recipe", Map.of("tasks", List.of(taskA, taskB), "mergePerImage", true)))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        assertEquals(1, merged.getInt("samples"), "one image, one merged conversation");
        JsonNode llava = new ObjectMapper().readTree(read(s3, merged.getString("prefix") + "llava.json"));
        JsonNode turns = llava.get(0).get("conversations");
        assertEquals(8, turns.size(), "four QA pairs in one conversation");
        assertTrue(turns.get(0).get("value").asText().startsWith("<image>\n"));
        assertEquals(1, llava.toString().split("<image>", -1).length - 1, "<image> once");

        JsonPath referenced = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "formats", List.of("sharegpt"), "images", "reference",
                        "recipe", Map.of("tasks", List.of(taskA))))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        JsonNode sharegpt = new ObjectMapper().readTree(read(s3, referenced.getString("prefix") + "sharegpt.json"));
        String path = sharegpt.get(0).get("images").get(0).asText();
        assertTrue(path.startsWith("../../../images/"), path);
        String resolved = java.nio.file.Path.of(referenced.getString("prefix")).resolve(path).normalize().toString();
        assertEquals(imageKey, resolved, "the relative path leads from the release folder to the store's image");
        assertEquals(imageId, Ids.sha256Hex(read(s3, resolved)));
        JsonNode referencedManifest = new ObjectMapper().readTree(
                read(s3, referenced.getString("prefix") + "manifest.json"));
        assertFalse(referencedManifest.get("imagesBundled").asBoolean());
        referencedManifest.get("files").fieldNames().forEachRemaining(f -> assertFalse(f.startsWith("images/"), f));

        JsonPath linked = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "formats", List.of("llava"), "images", "links",
                        "recipe", Map.of("tasks", List.of(taskA))))
                .when().post("/releases").then().statusCode(201).extract().jsonPath();
        JsonNode linkedLlava = new ObjectMapper().readTree(read(s3, linked.getString("prefix") + "llava.json"));
        String link = linkedLlava.get(0).get("image").asText();
        assertTrue(link.startsWith("http"), link);
        HttpResponse<byte[]> linkedImage = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, linkedImage.statusCode(), "the link downloads the image");
        assertEquals(imageId, Ids.sha256Hex(linkedImage.body()));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "images", "inline"))
                .when().post("/releases").then().statusCode(400);

        String refused = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "recipe", Map.of("sourceWeights", Map.of("coco", 2.0))))
                .when().post("/releases").then().statusCode(400).extract().asString();
        assertTrue(refused.contains("sourceWeights"), refused);
    }

    private byte[] read(MinioClient s3, String key) throws Exception {
        try (InputStream in = s3.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }

    /** Waits until every sample is in the accepted-sample store (redeliveries included). */
    private void awaitStored(List<Sample> samples) throws Exception {
        Await.until("accepted samples stored", () -> countStored(samples) >= samples.size());
    }

    private long countStored(List<Sample> samples) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select count(*) from publication.accepted_samples where sample_id = any(?)")) {
            st.setArray(1, c.createArrayOf("varchar", samples.stream().map(Sample::id).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long countRejected(String sampleId) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select count(*) from publication.rejected_samples where sample_id = ?")) {
            st.setString(1, sampleId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Sample sample(String imageId, String imageKey, String question) {
        return sample(imageId, imageKey, question, "brief_caption");
    }

    private static Sample sample(String imageId, String imageKey, String question, String task) {
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId, imageKey,
                List.of(Turn.human("<image>\n" + question), Turn.gpt("A train at a station.")), task,
                "caption", new Licence("CC BY 2.0", "http://creativecommons.org/licenses/by/2.0/"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z");
    }
}
