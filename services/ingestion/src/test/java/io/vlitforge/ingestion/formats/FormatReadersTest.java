package io.vlitforge.ingestion.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader against the real fixtures (or, where the project has none, a small file built here from
 * the format's specification); each count is computed again from the source file itself.
 */
class FormatReadersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ReadResult read(String format, Path... paths) throws IOException {
        return Formats.byName(format).orElseThrow().read(List.of(paths));
    }

    private static int sum(ReadResult r, java.util.function.ToIntFunction<SourceItem> f) {
        return r.items.stream().mapToInt(f).sum();
    }

    @Test
    void visualGenomeObjectsAttributesRelationsRegionsAndQuestions() throws IOException {
        Path vg = Fixtures.root().resolve("visual-genome");
        ReadResult r = read("vg", vg);
        assertTrue(r.problems.isEmpty(), r.problems.toString());
        JsonNode imageData = JSON.readTree(vg.resolve("image_data.json").toFile());
        assertEquals(imageData.size(), r.items.size());

        int regions = 0;
        for (JsonNode perImage : JSON.readTree(vg.resolve("region_descriptions.json").toFile())) {
            regions += perImage.get("regions").size();
        }
        int qas = 0;
        for (JsonNode perImage : JSON.readTree(vg.resolve("question_answers.json").toFile())) {
            qas += perImage.get("qas").size();
        }
        int relations = 0;
        Set<String> objectIds = new HashSet<>();
        for (JsonNode perImage : JSON.readTree(vg.resolve("relationships.json").toFile())) {
            relations += perImage.get("relationships").size();
            for (JsonNode rel : perImage.get("relationships")) {
                objectIds.add(perImage.get("image_id") + "/" + rel.get("subject").get("object_id"));
                objectIds.add(perImage.get("image_id") + "/" + rel.get("object").get("object_id"));
            }
        }
        for (JsonNode perImage : JSON.readTree(vg.resolve("objects.json").toFile())) {
            perImage.get("objects").forEach(o -> objectIds.add(perImage.get("image_id") + "/" + o.get("object_id")));
        }
        assertEquals(regions, sum(r, i -> i.regions.size()));
        assertEquals(qas, sum(r, i -> i.questions.size()));
        assertEquals(relations, sum(r, i -> i.relations.size()));
        assertEquals(objectIds.size(), sum(r, i -> i.boxes.size()), "every object and every relation end, once");

        SourceItem first = r.items.get(0);
        assertEquals("1", first.sourceId);
        assertEquals("1.jpg", first.fileName);
        assertEquals(800, first.width);
        BoundingBox clock = first.boxes.stream().filter(b -> "1058498".equals(b.objectId())).findFirst().orElseThrow();
        assertEquals(List.of("green", "tall"), clock.attributes());
        assertEquals(BoxConventions.VG_XYWH, clock.sourceConvention());
        assertEquals("What color is the clock?", first.questions.get(0).question());
        assertEquals("Green.", first.questions.get(0).answer());
        Set<String> boxIds = first.boxes.stream().map(BoundingBox::objectId).collect(Collectors.toSet());
        assertTrue(first.relations.stream().allMatch(rel -> boxIds.contains(rel.subjectId())
                && boxIds.contains(rel.objectId())), "every relation names boxes of its image");
    }

    @Test
    void vqaTenAnswersAndTheMostCommonOne() throws IOException {
        Path vqa = Fixtures.root().resolve("vqav2");
        ReadResult r = read("vqa", vqa.resolve("questions.json"), vqa.resolve("annotations.json"));
        assertTrue(r.problems.isEmpty(), r.problems.toString());
        assertEquals(1, r.items.size());
        SourceItem item = r.items.get(0);
        assertEquals("COCO_train2014_000000458752.jpg", item.fileName);
        int questions = JSON.readTree(vqa.resolve("questions.json").toFile()).get("questions").size();
        assertEquals(questions, item.questions.size());
        QaPair q = item.questions.stream().filter(x -> x.sourceId().equals("458752000")).findFirst().orElseThrow();
        assertEquals(10, q.answers().size());
        assertEquals("net", q.answer());
        assertEquals("vqa", q.dataset());
        assertEquals("b", VqaFormat.mostCommon(List.of("a", "b", "b", "a", "b")));
        assertEquals("a", VqaFormat.mostCommon(List.of("a", "b")), "ties go to the answer given first");
    }

    @Test
    void aOkvqaMultipleChoice(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("aokvqa_v1p0_val.json");
        Files.writeString(file, """
                [{"split": "val", "image_id": 461751, "question_id": "22jbM6gDxdaMaunuzgrsBB",
                  "question": "What is in the motorcyclist's mouth?",
                  "choices": ["toothpick", "food", "popsicle stick", "cigarette"], "correct_choice_idx": 3,
                  "direct_answers": ["cigarette", "cigarette", "cigarette", "cigarette", "cigarette", "cigarette",
                                     "cigarette", "cigarette", "cigarette", "cigarette"],
                  "difficult_direct_answer": false, "rationales": ["He's smoking while riding."]},
                 {"split": "val", "image_id": 461751, "question_id": "bad", "question": "?", "choices": ["a"],
                  "correct_choice_idx": 7, "direct_answers": []}]""");
        ReadResult r = read("aokvqa", file);
        assertEquals(1, r.items.size());
        assertEquals("000000461751.jpg", r.items.get(0).fileName);
        QaPair q = r.items.get(0).questions.get(0);
        assertEquals("cigarette", q.answer());
        assertEquals(3, q.correctChoice());
        assertEquals(4, q.choices().size());
        assertEquals("annotation.bad_choice", r.problems.get(0).reason());
    }

    @Test
    void gqaQuestionsWithFullAnswers() throws IOException {
        Path file = Fixtures.root().resolve("gqa/questions.json");
        ReadResult r = read("gqa", file);
        JsonNode root = JSON.readTree(file.toFile());
        Set<String> images = new HashSet<>();
        root.forEach(q -> images.add(q.get("imageId").asText()));
        assertEquals(images.size(), r.items.size());
        assertEquals(root.size(), sum(r, i -> i.questions.size()));
        QaPair q = r.items.get(0).questions.get(0);
        assertEquals("picture", q.answer());
        assertEquals("The picture is hanging above the chalkboard.", q.fullAnswer());
        assertEquals("n578564.jpg", r.items.get(0).fileName);
    }

    @Test
    void flickr30kEntitiesPhrasesWithOffsetsAndBoxes(@TempDir Path dir) throws IOException {
        Path flickr = Fixtures.root().resolve("flickr30k");
        ReadResult r = read("flickr30k", flickr);
        assertEquals(5, r.items.size());
        assertEquals(25, sum(r, i -> i.captions.size()));
        int marked = 0;
        for (Path f : Files.list(flickr.resolve("sentences")).toList()) {
            String text = Files.readString(f);
            marked += text.split("\\[/EN#", -1).length - 1;
        }
        assertEquals(marked, sum(r, i -> i.phrases.size()));
        SourceItem one = r.items.stream().filter(i -> i.sourceId.equals("1")).findFirst().orElseThrow();
        assertEquals("A girl with brown hair sits on the edge of a cement area overlooking water.",
                one.captions.get(0).text());
        GroundedPhrase hair = one.phrases.get(1);
        assertEquals("brown hair", hair.phrase());
        assertEquals(3, hair.firstWord());
        assertEquals("221804", hair.entityId());
        assertEquals(List.of("bodyparts"), hair.types());
        assertTrue(r.items.stream().allMatch(i -> i.captions.stream().noneMatch(c -> c.text().contains("["))));

        // Boxes where given: Annotations/<id>.xml beside Sentences/, VOC-style corners named by entity id.
        Path root = dir.resolve("f30k");
        Files.createDirectories(root.resolve("Sentences"));
        Files.createDirectories(root.resolve("Annotations"));
        Files.copy(flickr.resolve("sentences/1.txt"), root.resolve("Sentences/1.txt"));
        Files.writeString(root.resolve("Annotations/1.xml"), """
                <annotation><filename>1.jpg</filename><size><width>500</width><height>375</height><depth>3</depth></size>
                <object><name>221796</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>110</xmax><ymax>220</ymax></bndbox></object>
                <object><name>221798</name><nobndbox>1</nobndbox></object>
                </annotation>""");
        ReadResult withBoxes = read("flickr30k", root);
        SourceItem item = withBoxes.items.get(0);
        assertEquals(1, item.boxes.size());
        BoundingBox girl = item.boxes.get(0);
        assertEquals("221796", girl.objectId());
        assertEquals("people", girl.category());
        assertEquals(BoxConventions.XYXY, girl.sourceConvention());
        assertEquals(500, item.width);
    }

    @Test
    void refcocoRefsAndInstancesAsTheReferToolkitExportsThem(@TempDir Path dir) throws IOException {
        Path collection = Files.createDirectories(dir.resolve("refcoco+"));
        Files.writeString(collection.resolve("instances.json"), """
                {"images": [{"id": 581857, "file_name": "COCO_train2014_000000581857.jpg", "width": 640, "height": 427}],
                 "annotations": [{"id": 1719310, "image_id": 581857, "category_id": 1, "bbox": [103.93, 299.99, 134.22, 177.42]},
                                 {"id": 1724819, "image_id": 581857, "category_id": 1, "bbox": [0, 45.95, 238.92, 408.64]}],
                 "categories": [{"id": 1, "name": "person", "supercategory": "person"}]}""");
        Files.writeString(collection.resolve("refs(unc).json"), """
                [{"ref_id": 0, "ann_id": 1719310, "image_id": 581857, "split": "train", "category_id": 1,
                  "file_name": "COCO_train2014_000000581857_16.jpg",
                  "sentences": [{"sent_id": 0, "sent": "the lady with the blue shirt", "raw": "THE LADY with the blue shirt",
                                 "tokens": ["the", "lady", "with", "the", "blue", "shirt"]},
                                {"sent_id": 1, "sent": "lady with back to us", "raw": "lady w back to us", "tokens": []}],
                  "sent_ids": [0, 1]},
                 {"ref_id": 1, "ann_id": 1724819, "image_id": 581857, "split": "testA", "category_id": 1,
                  "sentences": [{"sent_id": 2, "sent": "man on left"}]},
                 {"ref_id": 2, "ann_id": 999, "image_id": 581857, "split": "train", "sentences": [{"sent_id": 3, "sent": "x"}]}]""");
        ReadResult r = read("refcoco", collection);
        assertEquals(1, r.items.size());
        SourceItem item = r.items.get(0);
        assertEquals("COCO_train2014_000000581857.jpg", item.fileName);
        assertEquals(3, item.referringExpressions.size());
        assertEquals(2, item.boxes.size());
        assertEquals("refcoco+", item.referringExpressions.get(0).collection());
        assertEquals("testA", item.referringExpressions.get(2).split());
        assertEquals(103.93, item.referringExpressions.get(0).box().x());
        assertEquals(1, r.problems.size());
        assertEquals("annotation.unknown_object", r.problems.get(0).reason());
    }

    @Test
    void imageCaptionPairsTsvAndJsonl(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("pairs.tsv");
        Files.writeString(tsv, "a.jpg\ta dog on a couch\nb.jpg\ta red bus\na.jpg\tthe dog sleeps\n"
                + "https://example.org/c.jpg\tremote\nno-tab-here\n");
        ReadResult r = read("pairs", tsv);
        assertEquals(3, r.items.size(), "a URL is an item; the ingest service fetches it (or refuses it)");
        assertEquals("https://example.org/c.jpg", r.items.get(2).fileName);
        assertEquals(4, sum(r, i -> i.captions.size()));
        assertEquals(List.of("annotation.malformed_pair"),
                r.problems.stream().map(ReadResult.Problem::reason).toList());
        // CC3M order (caption first) with a header.
        Path cc3m = dir.resolve("cc3m.tsv");
        Files.writeString(cc3m, "caption\timage\nsome caption\timgs/x.png\n");
        ReadResult c = read("pairs", cc3m);
        assertEquals("imgs/x.png", c.items.get(0).fileName);
        assertEquals("some caption", c.items.get(0).captions.get(0).text());
        Path jsonl = dir.resolve("laion.jsonl");
        Files.writeString(jsonl, "{\"image\": \"a.jpg\", \"caption\": \"one\"}\n{\"url\": \"b.jpg\", \"text\": \"two\"}\n{broken\n");
        ReadResult j = read("pairs", jsonl);
        assertEquals(2, j.items.size());
        assertEquals("source.not_json", j.problems.get(0).reason());
    }

    @Test
    void webDatasetShardsGroupMembersByKey(@TempDir Path dir) throws IOException {
        byte[] jpeg = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        Path shard = dir.resolve("shard-000000.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(shard))) {
            add(tar, "000001.jpg", jpeg);
            add(tar, "000001.txt", "a bedroom".getBytes(StandardCharsets.UTF_8));
            add(tar, "000002.jpg", jpeg);
            add(tar, "000002.json", "{\"caption\": \"the same room\", \"width\": 640}".getBytes(StandardCharsets.UTF_8));
            add(tar, "000003.txt", "a caption without an image".getBytes(StandardCharsets.UTF_8));
        }
        ReadResult r = read("webdataset", dir);
        assertEquals(2, r.items.size());
        assertEquals("a bedroom", r.items.get(0).captions.get(0).text());
        assertEquals("the same room", r.items.get(1).captions.get(0).text());
        assertEquals(jpeg.length, r.items.get(0).bytes.length);
        assertEquals("image.missing", r.problems.get(0).reason());
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }

    @Test
    void llavaCapsBoxesAreCaptionsAndNormalisedBoxes() throws IOException {
        Path file = Fixtures.root().resolve("llava/caps_boxes_coco2014_val_80.jsonl");
        ReadResult r = read("llava", file);
        assertTrue(r.problems.isEmpty(), r.problems.toString());
        int captions = 0;
        int boxes = 0;
        for (String line : Files.readAllLines(file)) {
            JsonNode row = JSON.readTree(line);
            captions += row.get("captions").size();
            boxes += row.get("instances").size();
        }
        assertEquals(80, r.items.size());
        assertEquals(captions, sum(r, i -> i.captions.size()));
        assertEquals(boxes, sum(r, i -> i.boxes.size()));
        BoundingBox donut = r.items.get(0).boxes.get(0);
        assertEquals(BoxConventions.NORMALISED_XYXY, donut.sourceConvention());
        assertEquals(0.37, donut.x());
    }

    @Test
    void llavaConversations(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("llava_instruct.json");
        Files.writeString(file, """
                [{"id": "000000033471", "image": "000000033471.jpg", "conversations": [
                   {"from": "human", "value": "<image>\\nWhat are the colors of the bus in the image?"},
                   {"from": "gpt", "value": "The bus in the image is white and red."}]},
                 {"id": "text-only", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]},
                 {"id": "bad-role", "image": "x.jpg", "conversations": [{"from": "robot", "value": "beep"}]}]""");
        ReadResult r = read("llava", file);
        assertEquals(1, r.items.size());
        assertEquals(2, r.items.get(0).conversations.get(0).turns().size());
        assertEquals("gpt", r.items.get(0).conversations.get(0).turns().get(1).from());
        assertEquals(List.of("sample.no_image", "sample.bad_role"),
                r.problems.stream().map(ReadResult.Problem::reason).toList());
    }

    @Test
    void llamaFactoryShareGptMessagesAndImages() throws IOException {
        Path file = Fixtures.root().resolve("llama-factory/mllm_demo.json");
        ReadResult r = read("sharegpt", file);
        JsonNode root = JSON.readTree(file.toFile());
        Set<String> images = new HashSet<>();
        root.forEach(s -> s.get("images").forEach(i -> images.add(i.asText())));
        assertEquals(images.size(), r.items.size());
        assertEquals(root.size(), sum(r, i -> i.conversations.size()));
        assertTrue(r.problems.isEmpty(), r.problems.toString());
        assertEquals("human", r.items.get(0).conversations.get(0).turns().get(0).from());
    }

    @Test
    void multiInstructExamplesWithRegions() throws IOException {
        Path file = Fixtures.root().resolve("multiinstruct/train.jsonl");
        ReadResult r = read("multiinstruct", file);
        assertTrue(r.problems.isEmpty(), r.problems.toString());
        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        Set<String> images = new HashSet<>();
        int regions = 0;
        for (String line : lines) {
            JsonNode row = JSON.readTree(line);
            images.add(row.get("image_path").asText());
            regions += row.hasNonNull("region") ? row.get("region").size() : 0;
        }
        assertEquals(lines.size(), sum(r, i -> i.conversations.size()));
        assertEquals(images.size(), r.items.size());
        assertEquals(regions, sum(r, i -> i.boxes.size()));
        assertFalse(r.items.get(0).fileName.startsWith("./"));
        SourceItem withRegion = r.items.stream().filter(i -> !i.boxes.isEmpty()).findFirst().orElseThrow();
        assertEquals(BoxConventions.XYXY, withRegion.boxes.get(0).sourceConvention());
        assertNotNull(withRegion.conversations.get(0).task());
    }

    @Test
    void cocoThroughTheSameModel() throws IOException {
        ReadResult r = read("coco", Fixtures.cocoMini().resolve("annotations"));
        assertEquals(80, r.items.size());
        assertEquals(400, sum(r, i -> i.captions.size()));
        assertEquals(739, sum(r, i -> i.boxes.size()));
        assertNull(r.items.get(0).linkedCocoId);
        assertTrue(r.items.stream().allMatch(i -> i.licence != null));
        Map<String, Long> conventions = r.items.stream().flatMap(i -> i.boxes.stream())
                .collect(Collectors.groupingBy(BoundingBox::sourceConvention, Collectors.counting()));
        assertEquals(Map.of(BoxConventions.COCO_XYWH, 739L), conventions);
    }
}
