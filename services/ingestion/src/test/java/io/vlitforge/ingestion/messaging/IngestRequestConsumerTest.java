package io.vlitforge.ingestion.messaging;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Topic-driven ingestion on the real broker: requests naming a whole source and a single item become
 * ingest runs readable over REST; unusable requests land on {@code ingest.requests.dlq} with their reason
 * and hold nothing back; a redelivered request does not run again.
 */
@QuarkusTest
class IngestRequestConsumerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;

    private static Optional<JsonPath> completedRun(String requestId) {
        var response = given().when().get("/imports/" + IngestRequestConsumer.runIdOf(requestId));
        if (response.statusCode() != 200 || !"COMPLETED".equals(response.jsonPath().getString("status"))) {
            return Optional.empty();
        }
        return Optional.of(response.jsonPath());
    }

    @Test
    void requestsForSourcesAndItemsRunAndBadOnesAreDeadLettered() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path gqa = Fixtures.root().resolve("gqa");
        Path picture = Fixtures.cocoMini().resolve("images/000000000790.jpg");
        String source = "{\"requestId\": \"src-" + tag + "\", \"format\": \"gqa\", \"paths\": [\""
                + gqa.resolve("questions.json") + "\"], \"imagesDir\": \"" + gqa.resolve("images")
                + "\", \"dataset\": \"gqa-req-" + tag + "\"}";
        String item = "{\"requestId\": \"item-" + tag + "\", \"item\": {\"image\": \"" + picture
                + "\", \"caption\": \"a bedroom, from a request\"}, \"dataset\": \"item-req-" + tag + "\"}";
        String unknownFormat = "{\"requestId\": \"bad-" + tag + "\", \"format\": \"yolo\", \"paths\": [\"/tmp\"], "
                + "\"dataset\": \"x-" + tag + "\"}";
        String topic = prefix + IngestRequestConsumer.INGEST_REQUESTS;
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            ConsumerTask<String, String> dlq = kafka.consumeStrings()
                    .fromTopics(prefix + IngestRequestConsumer.INGEST_REQUESTS_DLQ);
            kafka.produceStrings().fromRecords(new ProducerRecord<>(topic, "a", "not json {"),
                    new ProducerRecord<>(topic, "b", source), new ProducerRecord<>(topic, "c", unknownFormat),
                    new ProducerRecord<>(topic, "d", item)).awaitCompletion(Duration.ofSeconds(60));

            JsonPath sourceRun = Await.value("the source request's run", () -> completedRun("src-" + tag));
            assertEquals("gqa", sourceRun.getString("format"));
            assertEquals(1, sourceRun.getInt("imagesSeen"));
            assertEquals(1, sourceRun.getInt("ingested") + sourceRun.getInt("merged"));
            JsonPath itemRun = Await.value("the item request's run", () -> completedRun("item-" + tag));
            assertEquals(1, itemRun.getInt("ingested") + itemRun.getInt("merged"));
            List<String> captions = given().when().get("/images/" + Ids.imageId(Files.readAllBytes(picture)))
                    .then().statusCode(200).extract().jsonPath().getList("captions");
            assertTrue(captions.contains("a bedroom, from a request"), captions.toString());

            List<ConsumerRecord<String, String>> dead = Await.value("two dead letters", () -> {
                List<ConsumerRecord<String, String>> mine = dlq.getRecords().stream()
                        .filter(r -> r.value().equals("not json {") || r.value().contains("bad-" + tag)).toList();
                return mine.size() >= 2 ? Optional.of(mine) : Optional.empty();
            });
            dlq.stop();
            String reasons = dead.stream().map(r -> new String(r.headers().lastHeader("dead-letter-reason").value(),
                    StandardCharsets.UTF_8)).toList().toString();
            assertTrue(reasons.contains("source.not_json"), reasons);
            assertTrue(reasons.contains("unknown format yolo"), reasons);

            // A redelivered request whose run completed does not run again.
            String finished = sourceRun.getString("finishedAt");
            String marker = "{\"requestId\": \"marker-" + tag + "\", \"item\": {\"image\": \"" + picture
                    + "\"}, \"dataset\": \"marker-" + tag + "\"}";
            kafka.produceStrings().fromRecords(new ProducerRecord<>(topic, "b", source),
                    new ProducerRecord<>(topic, "e", marker)).awaitCompletion(Duration.ofSeconds(60));
            Await.value("the request after the repeat", () -> completedRun("marker-" + tag));
            assertEquals(finished, completedRun("src-" + tag).orElseThrow().getString("finishedAt"));
        }
    }

    @Test
    void fixtureSourcesOfEveryKindThroughTheTopic() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path f = Fixtures.root();
        record Request(String id, String format, List<Path> paths, Path images, int seen, int rejected) {
        }
        List<Request> requests = List.of(
                new Request("coco", "coco", List.of(Fixtures.cocoMini().resolve("annotations")),
                        Fixtures.cocoMini().resolve("images"), 80, 0),
                new Request("vg", "vg", List.of(f.resolve("visual-genome")), f.resolve("visual-genome/images"), 4, 0),
                new Request("vqa", "vqa", List.of(f.resolve("vqav2/questions.json"), f.resolve("vqav2/annotations.json")),
                        f.resolve("vqav2/images"), 1, 0),
                new Request("flickr30k", "flickr30k", List.of(f.resolve("flickr30k")), f.resolve("flickr30k"), 5, 3));
        String topic = prefix + IngestRequestConsumer.INGEST_REQUESTS;
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            List<ProducerRecord<String, String>> records = new java.util.ArrayList<>();
            for (Request r : requests) {
                String paths = r.paths().stream().map(p -> "\"" + p + "\"").collect(java.util.stream.Collectors.joining(", "));
                records.add(new ProducerRecord<>(topic, r.id(), "{\"requestId\": \"" + r.id() + "-" + tag
                        + "\", \"format\": \"" + r.format() + "\", \"paths\": [" + paths + "], \"imagesDir\": \""
                        + r.images() + "\", \"dataset\": \"" + r.id() + "-topic-" + tag + "\"}"));
            }
            kafka.produceStrings().fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
            for (Request r : requests) {
                JsonPath run = Await.value(r.id() + " run", () -> completedRun(r.id() + "-" + tag));
                assertEquals(r.format(), run.getString("format"));
                assertEquals(r.seen(), run.getInt("imagesSeen"), r.id());
                assertEquals(r.rejected(), run.getInt("imagesRejected"), r.id());
                assertEquals(r.seen() - r.rejected(), run.getInt("ingested") + run.getInt("merged"), r.id());
            }
        }
    }

    /** The formats without a fixture (built here from their specifications, as IngestCliTest does) by topic. */
    @Test
    void builtSourcesOfTheOtherFormatsThroughTheTopic(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path coco = Fixtures.cocoMini().resolve("images");
        Files.writeString(dir.resolve("pairs.tsv"), "000000000790.jpg\ta bed\n000000030752.jpg\ta kitchen\n");
        Files.writeString(dir.resolve("instances.json"), """
                {"images": [{"id": 790, "file_name": "000000000790.jpg", "width": 640, "height": 422}],
                 "annotations": [{"id": 11, "image_id": 790, "category_id": 65, "bbox": [10, 20, 300, 200]}],
                 "categories": [{"id": 65, "name": "bed"}]}""");
        Files.writeString(dir.resolve("refs(unc).json"), """
                [{"ref_id": 1, "ann_id": 11, "image_id": 790, "split": "val", "sentences": [{"sent_id": 1, "sent": "the bed"}]}]""");
        Path shard = dir.resolve("shard-000000.tar");
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                Files.newOutputStream(shard))) {
            for (var member : List.of(java.util.Map.entry("k1.jpg", Files.readAllBytes(
                    coco.resolve("000000000790.jpg"))), java.util.Map.entry("k1.txt", "a caption in a shard"
                            .getBytes(StandardCharsets.UTF_8)))) {
                var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(member.getKey());
                e.setSize(member.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(member.getValue());
                tar.closeArchiveEntry();
            }
        }
        Path images = Files.createDirectories(dir.resolve("images/mllm_demo_data"));
        List<Path> pictures = Files.list(coco).sorted().toList();
        for (int i = 0; i < 3; i++) {
            Files.copy(pictures.get(i), images.resolve((i + 1) + ".jpg"));
        }
        Files.writeString(dir.resolve("llava.json"), """
                [{"id": "a", "image": "mllm_demo_data/1.jpg", "conversations": [{"from": "human", "value": "<image>\\nWhat?"},
                  {"from": "gpt", "value": "A room."}]}]""");
        Files.writeString(dir.resolve("multi.jsonl"), "{\"unique_id\": \"m1\", \"task_name\": \"VQA\", "
                + "\"image_path\": \"./mllm_demo_data/2.jpg\", \"prompt\": \"What is shown?\", \"target\": \"a kitchen\", "
                + "\"region\": [\"10 20 110 120\"]}\n");
        record Request(String format, List<Path> paths, Path images, int seen) {
        }
        List<Request> requests = List.of(
                new Request("pairs", List.of(dir.resolve("pairs.tsv")), coco, 2),
                new Request("refcoco", List.of(dir.resolve("refs(unc).json"), dir.resolve("instances.json")), coco, 1),
                new Request("webdataset", List.of(shard), null, 1),
                new Request("llava", List.of(dir.resolve("llava.json")), dir.resolve("images"), 1),
                new Request("sharegpt", List.of(Fixtures.root().resolve("llama-factory/mllm_demo.json")),
                        dir.resolve("images"), 3),
                new Request("multiinstruct", List.of(dir.resolve("multi.jsonl")), dir.resolve("images"), 1));
        String topic = prefix + IngestRequestConsumer.INGEST_REQUESTS;
        ObjectMapper json = new ObjectMapper();
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            List<ProducerRecord<String, String>> records = new java.util.ArrayList<>();
            for (Request r : requests) {
                java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
                body.put("requestId", r.format() + "-" + tag);
                body.put("format", r.format());
                body.put("paths", r.paths().stream().map(Path::toString).toList());
                if (r.images() != null) {
                    body.put("imagesDir", r.images().toString());
                }
                body.put("dataset", r.format() + "-topic-" + tag);
                records.add(new ProducerRecord<>(topic, r.format(), json.writeValueAsString(body)));
            }
            kafka.produceStrings().fromRecords(records).awaitCompletion(Duration.ofSeconds(60));
            for (Request r : requests) {
                JsonPath run = Await.value(r.format() + " run", () -> completedRun(r.format() + "-" + tag));
                assertEquals(r.format(), run.getString("format"));
                assertEquals(r.seen(), run.getInt("imagesSeen"), r.format());
                assertEquals(0, run.getInt("imagesRejected"), r.format());
                assertEquals(r.seen(), run.getInt("ingested") + run.getInt("merged"),
                        r.format() + ": every image of the source is ingested or merged into its record");
            }
        }
    }
}
