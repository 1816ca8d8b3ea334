package io.vlitforge.ingestion.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.ingestion.messaging.IngestRequestConsumer;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.Fixtures;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The COCO and Visual Genome records of one picture are one record, whichever is ingested first, through
 * REST and through the ingest-request topic, and {@code images.ingested} announces the joined record.
 *
 * <p>None of the four Visual Genome fixture images is a COCO image ({@code coco_id} is null for all), so
 * each case builds the overlap from the real fixtures: one real COCO train2017 image of 640x480 with its
 * real captions and boxes (from the coco2017-mini files, under a COCO id of its own so that no other test's
 * COCO import of the same id interferes), and the real Visual Genome annotations of VG image 1 (800x600:
 * objects, attributes, relationships, 100 regions, 91 QAs) naming that COCO id, with VG's own copy of the
 * picture: the COCO pixels scaled to 800x600 and re-encoded, so its bytes (and sha256 image id) differ
 * from the COCO file's, as VG's copies do. Both files carry a random pixel, so every run's pictures are new
 * and the counts are exact.
 */
@QuarkusTest
class CocoVisualGenomeMergeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;

    enum Via { REST, TOPIC }

    /** One overlap case: the COCO side and the VG side of one picture, written under {@code dir}. */
    record Case(String cocoId, Path cocoAnnotations, Path cocoImages, String cocoDataset, String cocoImageId,
            int cocoCaptions, int cocoBoxes, Path vg, String vgDataset, String vgImageId, int vgBoxes, int regions,
            int relations, int questions) {
    }

    @Test
    void cocoFirstThenVisualGenomeThroughRest(@TempDir Path dir) throws Exception {
        Case c = build(dir, 373381L);
        JsonPath first = run(Via.REST, "coco", c.cocoAnnotations(), c.cocoImages(), c.cocoDataset());
        assertEquals(1, first.getInt("ingested"));
        JsonPath second = run(Via.REST, "vg", c.vg(), c.vg(), c.vgDataset());
        assertEquals(1, second.getInt("merged"), "the VG image joins the COCO record");
        assertEquals(0, second.getInt("ingested"));
        assertOneRecord(c, c.cocoImageId(), c.vgImageId(), second.getString("runId"));
    }

    @Test
    void visualGenomeFirstThenCocoThroughRest(@TempDir Path dir) throws Exception {
        Case c = build(dir, 54718L);
        JsonPath first = run(Via.REST, "vg", c.vg(), c.vg(), c.vgDataset());
        assertEquals(1, first.getInt("ingested"), "no COCO record yet: VG's own copy is the record");
        JsonPath second = run(Via.REST, "coco", c.cocoAnnotations(), c.cocoImages(), c.cocoDataset());
        assertEquals(1, second.getInt("merged"), "the COCO image joins the record of the VG copy naming it");
        assertEquals(0, second.getInt("ingested"));
        assertOneRecord(c, c.vgImageId(), c.cocoImageId(), second.getString("runId"));
    }

    @Test
    void cocoFirstThenVisualGenomeThroughTheTopic(@TempDir Path dir) throws Exception {
        Case c = build(dir, 215657L);
        JsonPath first = run(Via.TOPIC, "coco", c.cocoAnnotations(), c.cocoImages(), c.cocoDataset());
        assertEquals(1, first.getInt("ingested"));
        JsonPath second = run(Via.TOPIC, "vg", c.vg(), c.vg(), c.vgDataset());
        assertEquals(1, second.getInt("merged"));
        assertEquals(0, second.getInt("ingested"));
        assertOneRecord(c, c.cocoImageId(), c.vgImageId(), second.getString("runId"));
    }

    @Test
    void visualGenomeFirstThenCocoThroughTheTopic(@TempDir Path dir) throws Exception {
        Case c = build(dir, 466547L);
        JsonPath first = run(Via.TOPIC, "vg", c.vg(), c.vg(), c.vgDataset());
        assertEquals(1, first.getInt("ingested"));
        JsonPath second = run(Via.TOPIC, "coco", c.cocoAnnotations(), c.cocoImages(), c.cocoDataset());
        assertEquals(1, second.getInt("merged"));
        assertEquals(0, second.getInt("ingested"));
        assertOneRecord(c, c.vgImageId(), c.cocoImageId(), second.getString("runId"));

        // Re-importing either side adds nothing and announces nothing.
        JsonPath again = run(Via.REST, "coco", c.cocoAnnotations(), c.cocoImages(), c.cocoDataset());
        assertEquals(1, again.getInt("duplicates"));
        assertEquals(0, again.getInt("emitted"));
    }

    @Test
    void aCocoIdNamingAPictureOfAnotherShapeIsNotJoined(@TempDir Path dir) throws Exception {
        // Another COCO-format data set can use the same numbers: a 640x480 COCO image and an 800x800 VG
        // picture are not copies of one picture, whatever the id says.
        Case c = build(dir, 196393L, 800, 800);
        run(Via.REST, "coco", c.cocoAnnotations(), c.cocoImages(), c.cocoDataset());
        JsonPath vg = run(Via.REST, "vg", c.vg(), c.vg(), c.vgDataset());
        assertEquals(1, vg.getInt("ingested"));
        assertEquals(0, vg.getInt("merged"));
        List<String> reasons = given().when().get("/imports/" + vg.getString("runId") + "/rejections").then()
                .statusCode(200).extract().jsonPath().getList("reason");
        assertTrue(reasons.contains("item.link_refused"), reasons.toString());
        assertEquals(List.of(c.vgDataset()), given().when().get("/images/" + c.vgImageId()).then().statusCode(200)
                .extract().jsonPath().getList("sources.dataset"));
        assertEquals(List.of(c.cocoDataset()), given().when().get("/images/" + c.cocoImageId()).then()
                .statusCode(200).extract().jsonPath().getList("sources.dataset"));
    }

    /**
     * {@code recordId} is the one record, holding both sources, every annotation of both, each box with its
     * source convention; {@code otherId} (the picture that arrived second) has no record of its own; and the
     * second run announced the joined record.
     */
    private void assertOneRecord(Case c, String recordId, String otherId, String secondRunId) throws Exception {
        given().when().get("/images/" + otherId).then().statusCode(404);
        JsonPath img = given().when().get("/images/" + recordId).then().statusCode(200).extract().jsonPath();
        assertEquals(Set.of(c.cocoDataset(), c.vgDataset()), Set.copyOf(img.getList("sources.dataset")));
        assertEquals(c.cocoCaptions(), img.getList("captions").size());
        List<String> conventions = img.getList("boxes.sourceConvention");
        assertEquals(c.cocoBoxes(), conventions.stream().filter("coco-xywh"::equals).count());
        assertEquals(c.vgBoxes(), conventions.stream().filter("vg-xywh"::equals).count());
        assertEquals(c.regions(), img.getList("regions").size());
        assertEquals(c.relations(), img.getList("relations").size());
        assertEquals(c.questions(), img.getList("questions").size());
        assertEquals(recordId.equals(c.cocoImageId()) ? 640 : 800, img.getInt("width"),
                "the picture of the first source, the second's boxes scaled to it");
        assertTrue(img.getString("licence.name") != null, "the COCO image's licence is on the record");

        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            ConsumerTask<String, String> events = kafka.consumeStrings().fromTopics(prefix + "images.ingested");
            ImageIngested event = Await.value("the joined record on images.ingested", () -> events.getRecords()
                    .stream().map(r -> EventJson.read(r.value(), ImageIngested.class))
                    .filter(e -> secondRunId.equals(e.ingestRunId())).findFirst());
            events.stop();
            assertEquals(recordId, event.imageId());
            assertEquals(Set.of(c.cocoDataset(), c.vgDataset()),
                    Set.copyOf(event.sources().stream().map(SourceRef::dataset).toList()));
            assertEquals(c.cocoCaptions(), event.captions().size());
            List<String> eventConventions = event.boxes().stream().map(BoundingBox::sourceConvention).toList();
            assertEquals(c.cocoBoxes(), eventConventions.stream().filter("coco-xywh"::equals).count());
            assertEquals(c.vgBoxes(), eventConventions.stream().filter("vg-xywh"::equals).count());
            assertEquals(c.regions(), event.regions().size());
            assertEquals(c.relations(), event.relations().size());
            assertEquals(c.questions(), event.questions().size());
            assertTrue(event.licence() != null);
        }
    }

    // --- the two sides of one picture ---------------------------------------------------------------

    private static Case build(Path dir, long realCocoId) throws IOException {
        return build(dir, realCocoId, 800, 600);
    }

    private static Case build(Path dir, long realCocoId, int vgWidth, int vgHeight) throws IOException {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        // A COCO id no other import uses, so links are only between this case's two sides.
        long cocoId = 900_000_000L + ThreadLocalRandom.current().nextLong(99_000_000L);
        Path cocoAnnotations = Files.createDirectories(dir.resolve("coco/annotations"));
        Path cocoImages = Files.createDirectories(dir.resolve("coco/images"));
        int[] counts = new int[2];
        String fileName = null;
        for (String kind : List.of("captions", "instances")) {
            ObjectNode root = (ObjectNode) JSON.readTree(Fixtures.cocoMini()
                    .resolve("annotations/" + kind + "_train2017.json").toFile());
            ArrayNode images = JSON.createArrayNode();
            for (JsonNode i : root.get("images")) {
                if (i.get("id").asLong() == realCocoId) {
                    fileName = i.get("file_name").asText();
                    images.add(((ObjectNode) i.deepCopy()).put("id", cocoId));
                }
            }
            ArrayNode annotations = JSON.createArrayNode();
            for (JsonNode a : root.get("annotations")) {
                if (a.get("image_id").asLong() == realCocoId) {
                    annotations.add(((ObjectNode) a.deepCopy()).put("image_id", cocoId));
                }
            }
            counts[kind.equals("captions") ? 0 : 1] = annotations.size();
            root.set("images", images);
            root.set("annotations", annotations);
            JSON.writeValue(cocoAnnotations.resolve(kind + "_train2017.json").toFile(), root);
        }
        BufferedImage picture = ImageIO.read(Fixtures.cocoMini().resolve("images/" + fileName).toFile());
        assertEquals(640, picture.getWidth());
        assertEquals(480, picture.getHeight());
        byte[] cocoBytes = jpeg(marked(picture));
        Files.write(cocoImages.resolve(fileName), cocoBytes);

        Path vgFixture = Fixtures.root().resolve("visual-genome");
        Path vg = Files.createDirectories(dir.resolve("vg"));
        BufferedImage scaled = new BufferedImage(vgWidth, vgHeight, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(picture, 0, 0, vgWidth, vgHeight, null);
        g.dispose();
        byte[] vgBytes = jpeg(marked(scaled));
        Files.write(vg.resolve("1.jpg"), vgBytes);
        ArrayNode imageData = JSON.createArrayNode();
        for (JsonNode i : JSON.readTree(vgFixture.resolve("image_data.json").toFile())) {
            if (i.get("image_id").asInt() == 1) {
                assertEquals(800, i.get("width").asInt());
                imageData.add(((ObjectNode) i.deepCopy()).put("coco_id", cocoId).put("width", vgWidth)
                        .put("height", vgHeight));
            }
        }
        JSON.writeValue(vg.resolve("image_data.json").toFile(), imageData);
        Map<String, JsonNode> firstImage = new HashMap<>();
        for (String file : List.of("objects", "attributes", "relationships", "region_descriptions",
                "question_answers")) {
            ArrayNode out = JSON.createArrayNode();
            for (JsonNode perImage : JSON.readTree(vgFixture.resolve(file + ".json").toFile())) {
                JsonNode id = perImage.has("image_id") ? perImage.get("image_id") : perImage.get("id");
                if (id.asInt() == 1) {
                    out.add(perImage);
                    firstImage.put(file, perImage);
                }
            }
            JSON.writeValue(vg.resolve(file + ".json").toFile(), out);
        }
        Set<String> objects = new HashSet<>();
        firstImage.get("objects").get("objects").forEach(o -> objects.add(o.get("object_id").asText()));
        firstImage.get("relationships").get("relationships").forEach(r -> {
            objects.add(r.get("subject").get("object_id").asText());
            objects.add(r.get("object").get("object_id").asText());
        });
        return new Case(Long.toString(cocoId), cocoAnnotations, cocoImages, "coco-merge-" + tag,
                Ids.imageId(cocoBytes), counts[0], counts[1], vg, "vg-merge-" + tag, Ids.imageId(vgBytes),
                objects.size(), firstImage.get("region_descriptions").get("regions").size(),
                firstImage.get("relationships").get("relationships").size(),
                firstImage.get("question_answers").get("qas").size());
    }

    /** The picture with one random pixel: new bytes every run. */
    private static BufferedImage marked(BufferedImage image) {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        copy.getGraphics().drawImage(image, 0, 0, null);
        copy.setRGB(0, 0, ThreadLocalRandom.current().nextInt(0x1000000));
        copy.setRGB(1, 0, ThreadLocalRandom.current().nextInt(0x1000000));
        return copy;
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", out);
        return out.toByteArray();
    }

    // --- the two entry points -------------------------------------------------------------------------

    private JsonPath run(Via via, String format, Path path, Path images, String dataset) throws Exception {
        if (via == Via.REST) {
            return given().contentType(ContentType.JSON).body(Map.of("format", format, "paths",
                            List.of(path.toString()), "imagesDir", images.toString(), "dataset", dataset))
                    .when().post("/imports").then().statusCode(200).extract().jsonPath();
        }
        String requestId = "merge-" + UUID.randomUUID();
        String request = "{\"requestId\": \"" + requestId + "\", \"format\": \"" + format + "\", \"paths\": [\""
                + path + "\"], \"imagesDir\": \"" + images + "\", \"dataset\": \"" + dataset + "\"}";
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + IngestRequestConsumer.INGEST_REQUESTS,
                    dataset, request)).awaitCompletion(Duration.ofSeconds(60));
        }
        String runId = IngestRequestConsumer.runIdOf(requestId);
        return Await.value("the run of request " + requestId, () -> {
            var response = given().when().get("/imports/" + runId);
            return response.statusCode() == 200 && "COMPLETED".equals(response.jsonPath().getString("status"))
                    ? Optional.of(response.jsonPath()) : Optional.empty();
        });
    }
}
