package io.vlitforge.ingestion.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.objectstore.MinioClients;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion service in-process, importing the real COCO fixture into the real Kafka broker,
 * PostgreSQL and S3 server started by {@code bin/vlit test}; nothing is stubbed. Each run imports under
 * its own data-set name and reads back only its own run's events.
 */
@QuarkusTest
class CocoImportTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "vlit.object-store.endpoint")
    String s3Endpoint;
    @ConfigProperty(name = "vlit.object-store.access-key")
    String s3AccessKey;
    @ConfigProperty(name = "vlit.object-store.secret-key")
    String s3SecretKey;
    @ConfigProperty(name = "vlit.object-store.bucket")
    String bucket;

    private static JsonPath importFolder(Path annotations, Path images, String dataset) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("annotationsDir", annotations.toString(), "imagesDir", images.toString(),
                        "dataset", dataset))
                .when().post("/imports/coco")
                .then().statusCode(200).extract().jsonPath();
    }

    @Test
    void importsEveryCocoImageOnceAndAnnouncesIt() throws Exception {
        Path coco = Fixtures.cocoMini();
        String dataset = "coco-test-" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath first = importFolder(coco.resolve("annotations"), coco.resolve("images"), dataset);
        assertEquals(80, first.getInt("imagesSeen"));
        assertEquals(80, first.getInt("imagesNew"));
        assertEquals(0, first.getInt("imagesRejected"));
        assertEquals(400, first.getInt("captions"));
        assertEquals(739, first.getInt("boxes"));
        assertEquals(80, first.getInt("emitted"));
        String runId = first.getString("runId");

        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            ConsumerTask<String, String> events = kafka.consumeStrings().fromTopics(prefix + "images.ingested");
            long deadline = System.currentTimeMillis() + 30_000;
            List<ImageIngested> mine;
            do {
                Thread.sleep(200);
                mine = events.getRecords().stream().map(r -> EventJson.read(r.value(), ImageIngested.class))
                        .filter(e -> runId.equals(e.ingestRunId())).toList();
            } while (mine.size() < 80 && System.currentTimeMillis() < deadline);
            events.stop();
            assertEquals(80, mine.size());
            assertEquals(80, mine.stream().map(ImageIngested::imageId).distinct().count());
            // Each event is the image's whole record: this folder's 400 captions, plus any other source's
            // captions of the same pictures (other tests share the database).
            assertTrue(mine.stream().mapToInt(e -> e.captions().size()).sum() >= 400);
            assertTrue(mine.stream().allMatch(e -> e.sources().stream().anyMatch(s -> dataset.equals(s.dataset()))));
            assertTrue(mine.stream().allMatch(e -> e.licence() != null && e.licence().url().startsWith("http")));

            MinioClient s3 = MinioClients.create(s3Endpoint, s3AccessKey, s3SecretKey);
            for (ImageIngested e : mine.subList(0, 5)) {
                long size = s3.statObject(StatObjectArgs.builder().bucket(bucket).object(e.imageKey()).build()).size();
                assertTrue(size > 1000, "the image bytes are in the object store");
            }
        }

        JsonPath second = importFolder(coco.resolve("annotations"), coco.resolve("images"), dataset);
        assertEquals(80, second.getInt("imagesSeen"));
        assertEquals(0, second.getInt("imagesNew"));
        assertEquals(80, second.getInt("imagesAlreadyPresent"));
        assertEquals(0, second.getInt("emitted"), "a second import of the same folder announces nothing");
    }

    @Test
    void anImageWhoseBytesLeftTheStoreIsStoredAndAnnouncedAgain() throws Exception {
        Path coco = Fixtures.cocoMini();
        String dataset = "coco-restore-" + UUID.randomUUID().toString().substring(0, 8);
        importFolder(coco.resolve("annotations"), coco.resolve("images"), dataset);
        MinioClient s3 = MinioClients.create(s3Endpoint, s3AccessKey, s3SecretKey);
        String key = io.vlitforge.shared.objectstore.ObjectKeys.image(io.vlitforge.shared.ids.Ids.imageId(
                Files.readAllBytes(coco.resolve("images/000000000790.jpg"))), "jpeg");
        s3.removeObject(io.minio.RemoveObjectArgs.builder().bucket(bucket).object(key).build());

        JsonPath again = importFolder(coco.resolve("annotations"), coco.resolve("images"), dataset);
        assertEquals(0, again.getInt("imagesNew"));
        assertEquals(1, again.getInt("imagesRestored"));
        assertEquals(79, again.getInt("imagesAlreadyPresent"));
        assertEquals(1, again.getInt("emitted"));
        assertTrue(s3.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()).size() > 1000,
                "the bytes are back in the object store");
    }

    @Test
    void corruptMissingAndMismatchedImagesAreRejectedWithReasonsAndTheRestImported(@TempDir Path dir)
            throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        byte[] real = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        Files.write(images.resolve("good.jpg"), real);
        Files.write(images.resolve("truncated.jpg"), Arrays.copyOf(real, real.length / 4));
        Files.write(images.resolve("small.jpg"), real);
        Path annotations = Files.createDirectories(dir.resolve("annotations"));
        Files.writeString(annotations.resolve("captions_t.json"), """
                {"licenses": [{"id": 1, "name": "CC BY 2.0", "url": "http://creativecommons.org/licenses/by/2.0/"}],
                 "images": [
                   {"id": 1, "file_name": "good.jpg", "width": 640, "height": 422, "license": 1},
                   {"id": 2, "file_name": "truncated.jpg", "width": 640, "height": 422, "license": 1},
                   {"id": 3, "file_name": "missing.jpg", "width": 640, "height": 422, "license": 1},
                   {"id": 4, "file_name": "small.jpg", "width": 100, "height": 100, "license": 1}],
                 "annotations": [{"id": 11, "image_id": 1, "caption": "a bed in a room"},
                                 {"id": 12, "image_id": 99, "caption": "orphan"}]}""");
        String dataset = "broken-" + UUID.randomUUID().toString().substring(0, 8);
        JsonPath report = importFolder(annotations, images, dataset);
        assertEquals(4, report.getInt("imagesSeen"));
        assertEquals(1, report.getInt("imagesNew"));
        assertEquals(3, report.getInt("imagesRejected"));
        assertEquals(1, report.getInt("annotationsRejected"));

        List<Map<String, String>> stored = given().when().get("/imports/" + report.getString("runId") + "/rejections")
                .then().statusCode(200).extract().jsonPath().getList("$");
        Map<String, String> reasonByItem = new java.util.HashMap<>();
        stored.forEach(r -> reasonByItem.put(r.get("item"), r.get("reason")));
        assertEquals("image.truncated", reasonByItem.get("truncated.jpg"));
        assertEquals("image.missing", reasonByItem.get("missing.jpg"));
        assertEquals("image.size_mismatch", reasonByItem.get("small.jpg"));
        assertEquals("annotation.unknown_image", reasonByItem.get("caption 12"));
    }

    @Test
    void aFolderThatIsNotCocoIsABadRequestWithAReason(@TempDir Path dir) {
        String error = given().contentType(ContentType.JSON)
                .body(Map.of("annotationsDir", dir.toString(), "imagesDir", dir.toString()))
                .when().post("/imports/coco").then().statusCode(400).extract().path("error");
        assertTrue(error.contains("no captions_*.json"), error);
    }

    @Test
    void exportsImportMetrics() {
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vlit_ingest_images_total"), "the ingestion counter is exported");
    }
}
