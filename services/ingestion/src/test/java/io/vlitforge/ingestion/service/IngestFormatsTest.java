package io.vlitforge.ingestion.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every format through {@code POST /imports} into the real Kafka, PostgreSQL and S3: the counts of each
 * run are checked against the source files, the stored record against {@code GET /images/{id}}, and the
 * COCO and Visual Genome records of one picture come out as one record. Image bytes are shared between
 * tests and runs (one database), so a picture seen before counts as merged; new to the data set is
 * {@code imagesNew} = ingested + merged.
 */
@QuarkusTest
class IngestFormatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;

    static String dataset(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static JsonPath ingest(String format, List<Path> paths, Path images, String dataset) {
        Map<String, Object> body = new HashMap<>();
        body.put("format", format);
        body.put("paths", paths.stream().map(Path::toString).toList());
        if (images != null) {
            body.put("imagesDir", images.toString());
        }
        body.put("dataset", dataset);
        return given().contentType(ContentType.JSON).body(body).when().post("/imports").then().statusCode(200)
                .extract().jsonPath();
    }

    static JsonPath image(Path file) throws IOException {
        return given().when().get("/images/" + Ids.imageId(Files.readAllBytes(file))).then().statusCode(200)
                .extract().jsonPath();
    }

    /** The first {@code names.size()} COCO fixture images, copied under the given relative names. */
    static void copyCocoImages(Path dir, List<String> names) throws IOException {
        List<Path> coco;
        try (Stream<Path> files = Files.list(Fixtures.cocoMini().resolve("images"))) {
            coco = files.sorted().toList();
        }
        for (int i = 0; i < names.size(); i++) {
            Path target = dir.resolve(names.get(i));
            Files.createDirectories(target.getParent());
            Files.copy(coco.get(i % coco.size()), target);
        }
    }

    @Test
    void visualGenome() throws Exception {
        Path vg = Fixtures.root().resolve("visual-genome");
        JsonPath r = ingest("vg", List.of(vg), vg.resolve("images"), dataset("vg"));
        assertEquals(4, r.getInt("imagesSeen"));
        assertEquals(4, r.getInt("imagesNew"));
        assertEquals(0, r.getInt("imagesRejected"));
        int regions = 0;
        int qas = 0;
        int relations = 0;
        Set<String> objects = new HashSet<>();
        for (JsonNode i : JSON.readTree(vg.resolve("region_descriptions.json").toFile())) {
            regions += i.get("regions").size();
        }
        for (JsonNode i : JSON.readTree(vg.resolve("question_answers.json").toFile())) {
            qas += i.get("qas").size();
        }
        for (JsonNode i : JSON.readTree(vg.resolve("relationships.json").toFile())) {
            relations += i.get("relationships").size();
            i.get("relationships").forEach(rel -> {
                objects.add(i.get("image_id") + "/" + rel.get("subject").get("object_id"));
                objects.add(i.get("image_id") + "/" + rel.get("object").get("object_id"));
            });
        }
        for (JsonNode i : JSON.readTree(vg.resolve("objects.json").toFile())) {
            i.get("objects").forEach(o -> objects.add(i.get("image_id") + "/" + o.get("object_id")));
        }
        assertEquals(regions + qas + relations + objects.size(), r.getInt("annotations") + r.getInt("annotationsRejected"),
                "every annotation of the files is stored or refused with a reason");

        JsonPath one = image(vg.resolve("images/1.jpg"));
        JsonNode regionsOfOne = JSON.readTree(vg.resolve("region_descriptions.json").toFile()).get(0).get("regions");
        assertEquals(regionsOfOne.size(), one.getList("regions").size());
        assertEquals(91, one.getList("questions").size());
        assertEquals(41, one.getList("relations").size());
        assertTrue(one.getList("boxes.attributes").stream().anyMatch(a -> ((List<?>) a).contains("green")));
        assertTrue(one.getList("sources.dataset").stream().anyMatch(d -> ((String) d).startsWith("vg-")));
        assertEquals("vg-xywh", one.getString("boxes[0].sourceConvention"));
    }

    @Test
    void vqaAndGqaQuestions() throws Exception {
        Path vqa = Fixtures.root().resolve("vqav2");
        JsonPath r = ingest("vqa", List.of(vqa.resolve("questions.json"), vqa.resolve("annotations.json")),
                vqa.resolve("images"), dataset("vqa"));
        assertEquals(1, r.getInt("imagesNew"));
        assertEquals(3, r.getInt("annotations"));
        JsonPath img = image(vqa.resolve("images/COCO_train2014_000000458752.jpg"));
        assertEquals(10, img.getList("questions[0].answers").size());
        assertTrue(img.getList("questions.answer").contains("net"));
        assertTrue(img.getString("perceptualHash").matches("[0-9a-f]{16}"), img.getString("perceptualHash"));

        Path gqa = Fixtures.root().resolve("gqa");
        JsonPath g = ingest("gqa", List.of(gqa.resolve("questions.json")), gqa.resolve("images"), dataset("gqa"));
        int questions = JSON.readTree(gqa.resolve("questions.json").toFile()).size();
        assertEquals(1, g.getInt("imagesNew"));
        assertEquals(questions, g.getInt("annotations"));
        assertEquals("The picture is hanging above the chalkboard.",
                image(gqa.resolve("images/n578564.jpg")).getString("questions[0].fullAnswer"));
    }

    @Test
    void flickr30kEntities() throws Exception {
        Path flickr = Fixtures.root().resolve("flickr30k");
        JsonPath r = ingest("flickr30k", List.of(flickr), flickr, dataset("flickr30k"));
        // Five sentence files; only two of their images are in the fixture.
        assertEquals(5, r.getInt("imagesSeen"));
        assertEquals(2, r.getInt("imagesNew"));
        assertEquals(3, r.getInt("imagesRejected"));
        assertEquals(Map.of("image.missing", 3), r.getMap("rejectedByReason"));
        assertEquals(10, r.getInt("captions"));
        JsonPath img = image(flickr.resolve("4945942737.jpg"));
        String text = Files.readString(flickr.resolve("sentences/4945942737.txt"));
        assertEquals(text.split("\\[/EN#", -1).length - 1, img.getList("phrases").size());
        assertTrue(img.getList("captions").stream().noneMatch(c -> ((String) c).contains("/EN#")));
    }

    @Test
    void refcocoPairsAndWebDataset(@TempDir Path dir) throws Exception {
        Path cocoImages = Fixtures.cocoMini().resolve("images");
        Files.writeString(dir.resolve("instances.json"), """
                {"images": [{"id": 790, "file_name": "000000000790.jpg", "width": 640, "height": 422}],
                 "annotations": [{"id": 11, "image_id": 790, "category_id": 65, "bbox": [10, 20, 300, 200]}],
                 "categories": [{"id": 65, "name": "bed"}]}""");
        Files.writeString(dir.resolve("refs(umd).json"), """
                [{"ref_id": 1, "ann_id": 11, "image_id": 790, "split": "val",
                  "sentences": [{"sent_id": 101, "sent": "the bed on the left"}, {"sent_id": 102, "sent": "white bed"}]}]""");
        JsonPath ref = ingest("refcoco", List.of(dir.resolve("refs(umd).json"), dir.resolve("instances.json")),
                cocoImages, dataset("refcoco"));
        assertEquals(1, ref.getInt("imagesNew"));
        assertEquals(3, ref.getInt("annotations"), "two expressions and their object's box");
        JsonPath img = image(cocoImages.resolve("000000000790.jpg"));
        assertTrue(img.getList("referringExpressions.text").contains("white bed"));

        Path tsv = dir.resolve("pairs.tsv");
        Files.writeString(tsv, "000000000790.jpg\ta bed\n000000030752.jpg\tsomething\n000000000790.jpg\ta bedroom\n");
        JsonPath pairs = ingest("pairs", List.of(tsv), cocoImages, dataset("pairs"));
        assertEquals(2, pairs.getInt("imagesNew"));
        assertEquals(3, pairs.getInt("captions"));

        Path shard = dir.resolve("shard-000000.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(shard))) {
            add(tar, "s1.jpg", Files.readAllBytes(cocoImages.resolve("000000000790.jpg")));
            add(tar, "s1.txt", "a shard caption".getBytes());
            add(tar, "s2.jpg", Files.readAllBytes(cocoImages.resolve("000000030752.jpg")));
            add(tar, "s2.json", "{\"caption\": \"another\"}".getBytes());
        }
        JsonPath wds = ingest("webdataset", List.of(shard), null, dataset("wds"));
        assertEquals(2, wds.getInt("imagesNew"));
        assertEquals(2, wds.getInt("merged"), "the same bytes as images recorded before: one record each");
        assertEquals(2, wds.getInt("captions"));
        assertTrue(image(cocoImages.resolve("000000000790.jpg")).getList("captions").contains("a shard caption"));
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    @Test
    void instructionDataLlavaShareGptMultiInstruct(@TempDir Path dir) throws Exception {
        Path llava = Fixtures.root().resolve("llava/caps_boxes_coco2014_val_80.jsonl");
        List<String> names = new ArrayList<>();
        int captions = 0;
        int boxes = 0;
        for (String line : Files.readAllLines(llava)) {
            JsonNode row = JSON.readTree(line);
            names.add(row.get("image").asText());
            captions += row.get("captions").size();
            boxes += row.get("instances").size();
        }
        Path llavaImages = Files.createDirectories(dir.resolve("llava"));
        copyCocoImages(llavaImages, names);
        JsonPath l = ingest("llava", List.of(llava), llavaImages, dataset("llava"));
        assertEquals(80, l.getInt("imagesNew"));
        assertEquals(captions, l.getInt("captions"));
        assertEquals(boxes, l.getInt("boxes") + l.getInt("annotationsRejected"));

        Path demo = Fixtures.root().resolve("llama-factory/mllm_demo.json");
        JsonNode samples = JSON.readTree(demo.toFile());
        Set<String> demoImages = new LinkedHashSet<>();
        samples.forEach(s -> s.get("images").forEach(i -> demoImages.add(i.asText())));
        Path sharegptImages = Files.createDirectories(dir.resolve("sharegpt"));
        copyCocoImages(sharegptImages, List.copyOf(demoImages));
        JsonPath s = ingest("sharegpt", List.of(demo), sharegptImages, dataset("sharegpt"));
        assertEquals(demoImages.size(), s.getInt("imagesNew"));
        assertEquals(samples.size(), s.getInt("annotations"));

        Path multi = Fixtures.root().resolve("multiinstruct/train.jsonl");
        Set<String> multiImages = new LinkedHashSet<>();
        Set<String> absolute = new LinkedHashSet<>();
        int examples = 0;
        int regions = 0;
        for (String line : Files.readAllLines(multi)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = JSON.readTree(line);
            String path = row.get("image_path").asText();
            if (path.startsWith("/")) {
                // Absolute paths of the authors' machine: outside any images folder, refused as unsafe.
                absolute.add(path);
                continue;
            }
            multiImages.add(path.startsWith("./") ? path.substring(2) : path);
            examples++;
            regions += row.hasNonNull("region") ? row.get("region").size() : 0;
        }
        Path multiDir = Files.createDirectories(dir.resolve("multi"));
        copyCocoImages(multiDir, List.copyOf(multiImages));
        JsonPath m = ingest("multiinstruct", List.of(multi), multiDir, dataset("multiinstruct"));
        assertEquals(multiImages.size(), m.getInt("imagesNew"));
        assertEquals(absolute.size(), m.getInt("imagesRejected"));
        assertEquals(Map.of("image.outside_folder", absolute.size()), m.getMap("rejectedByReason").entrySet().stream()
                .filter(e -> e.getKey().toString().startsWith("image.")).collect(java.util.stream.Collectors.toMap(
                        e -> e.getKey().toString(), Map.Entry::getValue)));
        assertEquals(examples + regions, m.getInt("annotations") + m.getInt("annotationsRejected"));
    }

    @Test
    void aVisualGenomeImageNamingACocoImageJoinsItsRecord(@TempDir Path dir) throws Exception {
        Path coco = Fixtures.cocoMini();
        String cocoDataset = dataset("coco");
        ingest("coco", List.of(coco.resolve("annotations")), coco.resolve("images"), cocoDataset);
        // The VG copy of COCO image 790 (640x422) at twice the size; its bytes are not even needed.
        Path vg = Files.createDirectories(dir.resolve("vg"));
        Files.writeString(vg.resolve("image_data.json"), """
                [{"image_id": 990001, "coco_id": 790, "flickr_id": null, "width": 1280, "height": 844,
                  "url": "https://cs.stanford.edu/people/rak248/VG_100K/990001.jpg"}]""");
        Files.writeString(vg.resolve("objects.json"), """
                [{"image_id": 990001, "objects": [
                   {"object_id": 9900011, "names": ["bed"], "synsets": [], "x": 200, "y": 100, "w": 400, "h": 300},
                   {"object_id": 9900012, "names": ["lamp"], "synsets": [], "x": 1200, "y": 0, "w": 200, "h": 100}]}]""");
        Files.writeString(vg.resolve("region_descriptions.json"), """
                [{"id": 990001, "regions": [{"region_id": 5, "image_id": 990001, "phrase": "a made bed",
                   "x": 200, "y": 100, "width": 400, "height": 300}]}]""");
        Files.writeString(vg.resolve("question_answers.json"), """
                [{"id": 990001, "qas": [{"qa_id": 7, "image_id": 990001, "question": "What is in the room?",
                   "answer": "A bed.", "a_objects": [], "q_objects": []}]}]""");
        String vgDataset = dataset("vg-coco");
        JsonPath r = ingest("vg", List.of(vg), vg, vgDataset);
        assertEquals(1, r.getInt("merged"));
        assertEquals(0, r.getInt("ingested"));
        assertEquals(1, r.getInt("boxesClipped"), "the lamp reaches outside the picture");
        String runId = r.getString("runId");

        Path picture = coco.resolve("images/000000000790.jpg");
        JsonPath img = image(picture);
        List<String> datasets = img.getList("sources.dataset");
        assertTrue(datasets.contains(cocoDataset) && datasets.contains(vgDataset), datasets.toString());
        assertTrue(img.getList("captions").size() >= 5, "the COCO captions");
        // Other tests add to the same picture (one database): look at what this VG source said.
        assertTrue(img.getList("regions.description").contains("a made bed"));
        List<Map<String, Object>> vgBoxes = img.getList("boxes.findAll { it.objectId in ['9900011', '9900012'] }");
        assertEquals(2, vgBoxes.size());
        assertEquals(List.of(100.0f, 50.0f, 200.0f, 150.0f), List.of(vgBoxes.get(0).get("x"), vgBoxes.get(0).get("y"),
                vgBoxes.get(0).get("width"), vgBoxes.get(0).get("height")), "scaled from VG's 1280x844 to 640x422");
        assertEquals(40.0f, vgBoxes.get(1).get("width"), "the lamp clipped at the right edge");

        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            ConsumerTask<String, String> events = kafka.consumeStrings().fromTopics(prefix + "images.ingested");
            ImageIngested event = Await.value("the merged record on images.ingested", () -> events.getRecords().stream()
                    .map(rec -> EventJson.read(rec.value(), ImageIngested.class))
                    .filter(e -> runId.equals(e.ingestRunId())).findFirst());
            events.stop();
            assertEquals(Ids.imageId(Files.readAllBytes(picture)), event.imageId());
            assertTrue(event.sources().stream().map(SourceRef::dataset).toList().containsAll(List.of(cocoDataset,
                    vgDataset)));
            assertTrue(event.regions().stream().anyMatch(x -> x.description().equals("a made bed")));
            assertTrue(event.questions().stream().anyMatch(q -> q.sourceId().equals("7") && q.answer().equals("A bed.")));
            assertTrue(event.boxes().stream().map(BoundingBox::sourceConvention).toList().contains("coco-xywh"));
        }

        JsonPath again = ingest("vg", List.of(vg), vg, vgDataset);
        assertEquals(1, again.getInt("duplicates"), "the same source twice adds nothing");
        assertEquals(0, again.getInt("emitted"));
    }

    @Test
    void theRunIsReadBackWithItsCountsByReason() {
        Path flickr = Fixtures.root().resolve("flickr30k");
        JsonPath r = ingest("flickr30k", List.of(flickr), flickr, dataset("flickr-run"));
        JsonPath run = given().when().get("/imports/" + r.getString("runId")).then().statusCode(200).extract()
                .jsonPath();
        assertEquals("COMPLETED", run.getString("status"));
        assertEquals("flickr30k", run.getString("format"));
        assertEquals(5, run.getInt("imagesSeen"));
        assertEquals(3, run.getInt("rejected"));
        assertEquals(3, run.getInt("rejectedByReason.'image.missing'"));
        assertEquals(r.getInt("ingested"), run.getInt("ingested"));
        assertEquals(r.getInt("merged"), run.getInt("merged"));
    }

    @Test
    void unknownFormatsAndMissingPathsAreBadRequests() {
        String error = given().contentType(ContentType.JSON).body(Map.of("format", "yolo", "paths", List.of("/tmp")))
                .when().post("/imports").then().statusCode(400).extract().path("error");
        assertTrue(error.contains("unknown format yolo"), error);
        error = given().contentType(ContentType.JSON).body(Map.of("format", "gqa", "paths", List.of("/nonexistent/q.json")))
                .when().post("/imports").then().statusCode(400).extract().path("error");
        assertTrue(error.contains("not found"), error);
        given().when().get("/images/" + "0".repeat(64)).then().statusCode(404);
    }
}
