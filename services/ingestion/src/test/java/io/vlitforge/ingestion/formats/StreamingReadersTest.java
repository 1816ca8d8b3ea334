package io.vlitforge.ingestion.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.ingestion.coco.CocoFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What changed with streaming must not change what is read: files listing images in another order than
 * {@code image_data.json} still join per image; a broken file is still refused as a whole with the same
 * reason codes as before ({@link Json#parse}); UTF-8 is checked as strictly as before; COCO annotations
 * before their images and across many spill buckets still find them; VQA answers without
 * {@code image_id} still find their questions.
 */
class StreamingReadersTest {

    private static ReadResult read(String format, Path... paths) throws IOException {
        return Formats.byName(format).orElseThrow().read(List.of(paths));
    }

    private static Map<String, SourceItem> byId(ReadResult r) {
        return r.items.stream().collect(Collectors.toMap(i -> i.sourceId, Function.identity()));
    }

    private static void writeImages(Path vg) throws IOException {
        Files.writeString(vg.resolve("image_data.json"), """
                [{"image_id": 1, "width": 100, "height": 80, "coco_id": null},
                 {"image_id": 2, "width": 100, "height": 80, "coco_id": 42}]""");
    }

    @Test
    void visualGenomeFilesInAnyOrderJoinPerImage(@TempDir Path vg) throws IOException {
        writeImages(vg);
        // objects listed in reverse order, image 2 in two entries, id after the big array, an unknown image.
        Files.writeString(vg.resolve("objects.json"), """
                [{"objects": [{"object_id": 21, "names": ["cat"], "x": 1, "y": 1, "w": 5, "h": 5}], "image_id": 2},
                 {"image_id": 1, "objects": [{"object_id": 11, "names": ["dog"], "x": 1, "y": 1, "w": 5, "h": 5}]},
                 {"image_id": 2, "objects": [{"object_id": 22, "names": ["hat"], "x": 2, "y": 2, "w": 5, "h": 5}]},
                 {"image_id": 9, "objects": []}]""");
        Files.writeString(vg.resolve("attributes.json"), """
                [{"image_id": 2, "attributes": [{"object_id": 22, "attributes": ["red"]}]}]""");
        Files.writeString(vg.resolve("question_answers.json"), """
                [{"id": 1, "qas": [{"qa_id": 5, "question": "What?", "answer": "A dog."}]}]""");
        ReadResult r = read("vg", vg);
        Map<String, SourceItem> items = byId(r);
        assertEquals(List.of("1", "2"), r.items.stream().map(i -> i.sourceId).toList(), "image_data order");
        assertEquals(List.of("dog"), items.get("1").boxes.stream().map(b -> b.category()).toList());
        assertEquals(List.of("cat", "hat"), items.get("2").boxes.stream().map(b -> b.category()).toList());
        assertEquals(List.of("red"), items.get("2").boxes.get(1).attributes());
        assertEquals("42", items.get("2").linkedCocoId);
        assertEquals(1, items.get("1").questions.size());
        assertEquals(List.of("annotation.unknown_image"), r.problems.stream().map(ReadResult.Problem::reason).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"empty", "truncated", "not_json", "wrong_shape", "invalid_utf8", "overlong_utf8",
        "surrogate_utf8", "too_deep", "too_large"})
    void aBrokenVisualGenomeFileIsRefusedWholeWithItsReason(String kind, @TempDir Path vg) throws IOException {
        writeImages(vg);
        String good = "[{\"image_id\": 1, \"objects\": [{\"object_id\": 11, \"names\": [\"dog\"], \"x\": 1, "
                + "\"y\": 1, \"w\": 5, \"h\": 5}]}, ";
        byte[] bytes = switch (kind) {
            case "empty" -> new byte[0];
            case "truncated" -> (good + "{\"image_id\": 2, \"objects\": [").getBytes(StandardCharsets.UTF_8);
            case "not_json" -> (good + "{oops}]").getBytes(StandardCharsets.UTF_8);
            case "wrong_shape" -> "{\"image_id\": 1}".getBytes(StandardCharsets.UTF_8);
            case "invalid_utf8" -> concat(good + "{\"image_id\": 2, \"objects\": [{\"names\": [\"", new byte[] {
                (byte) 0xC3, (byte) 0x28}, "\"]}]}]");
            case "overlong_utf8" -> concat(good + "{\"image_id\": 2, \"objects\": [{\"names\": [\"", new byte[] {
                (byte) 0xC0, (byte) 0xAF}, "\"]}]}]");
            case "surrogate_utf8" -> concat(good + "{\"image_id\": 2, \"objects\": [{\"names\": [\"", new byte[] {
                (byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"]}]}]");
            case "too_deep" -> (good + "{\"image_id\": 2, \"x\": " + "[".repeat(300) + "]".repeat(300) + "}]")
                    .getBytes(StandardCharsets.UTF_8);
            case "too_large" -> (good + "{\"image_id\": 2, \"x\": \"" + "y".repeat(1_100_000) + "\"}]")
                    .getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException(kind);
        };
        Files.write(vg.resolve("objects.json"), bytes);
        ReadResult r = read("vg", vg);
        String expected = "source." + switch (kind) {
            case "overlong_utf8", "surrogate_utf8" -> "invalid_utf8";
            case "too_large" -> "value_too_large";
            case "truncated" -> "truncated_json";
            default -> kind;
        };
        assertEquals(List.of(expected), r.problems.stream().map(ReadResult.Problem::reason).toList(),
                r.problems.toString());
        assertEquals(2, r.items.size(), "the images are still read");
        assertTrue(r.items.stream().allMatch(i -> i.boxes.isEmpty()), "nothing of the refused file is used");
    }

    @Test
    void validUtf8OfEveryLengthPasses(@TempDir Path vg) throws IOException {
        writeImages(vg);
        Files.writeString(vg.resolve("objects.json"), "[{\"image_id\": 1, \"objects\": [{\"object_id\": 11, "
                + "\"names\": [\"caf\u00e9 \u20ac \ud83d\udc15\"], \"x\": 1, \"y\": 1, \"w\": 5, \"h\": 5}]}]",
                StandardCharsets.UTF_8);
        ReadResult r = read("vg", vg);
        assertEquals(List.of(), r.problems);
        assertEquals("caf\u00e9 \u20ac \ud83d\udc15", byId(r).get("1").boxes.get(0).category());
    }

    @Test
    void cocoAnnotationsBeforeImagesAndCategoriesAfterThem(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("instances_x.json"), """
                {"annotations": [{"id": 5, "image_id": 2, "category_id": 1, "bbox": [1, 1, 3, 3],
                                  "segmentation": [[1, 1, 2, 2, 3, 3]]},
                                 {"id": 6, "image_id": 1, "category_id": 1, "bbox": [2, 2, 3, 3]},
                                 {"id": 7, "image_id": 3, "category_id": 1, "bbox": [2, 2, 3, 3]}],
                 "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10, "license": 1},
                            {"id": 2, "file_name": "b.jpg", "width": 10, "height": 10}],
                 "licenses": [{"id": 1, "name": "CC BY", "url": "https://creativecommons.org/licenses/by/2.0/"}],
                 "categories": [{"id": 1, "name": "dot"}]}""");
        ReadResult r = read("coco", dir);
        Map<String, SourceItem> items = byId(r);
        assertEquals(2, items.size());
        assertEquals("dot", items.get("2").boxes.get(0).category());
        assertEquals("CC BY", items.get("1").licence.name(), "licences listed after the images still apply");
        assertEquals(List.of("annotation.unknown_image"), r.problems.stream().map(ReadResult.Problem::reason).toList());
    }

    @Test
    void aCocoFileThatBreaksHalfwayFailsTheSplitBeforeAnythingIsHandedOn(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("captions_x.json"), """
                {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
                 "annotations": [{"id": 1, "image_id": 1, "caption": "a dot"}, {"id": 2, """);
        ReadResult r = new ReadResult();
        CocoFormatException e = org.junit.jupiter.api.Assertions.assertThrows(CocoFormatException.class,
                () -> Formats.byName("coco").orElseThrow().stream(List.of(dir), r));
        assertTrue(e.getMessage().contains("captions_x.json"), e.getMessage());
        assertEquals(0, r.items.size());
    }

    @Test
    void vqaAnswersWithoutImageIdsAndGqaQuestionsGroupedByImage(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("annotations.json"), """
                {"annotations": [{"question_id": 2, "answers": [{"answer": "no"}]},
                                 {"question_id": 1, "answers": [{"answer": "yes"}, {"answer": "yes"}, {"answer": "no"}]}]}""");
        Files.writeString(dir.resolve("questions.json"), """
                {"questions": [{"question_id": 1, "image_id": 7, "question": "Is it?"},
                               {"question_id": 3, "image_id": 8, "question": "Unanswered?"},
                               {"question_id": 2, "image_id": 7, "question": "Is it not?"}],
                 "data_subtype": "val2014"}""");
        ReadResult r = read("vqa", dir.resolve("questions.json"), dir.resolve("annotations.json"));
        assertEquals(1, r.items.size());
        SourceItem seven = r.items.get(0);
        assertEquals("COCO_val2014_000000000007.jpg", seven.fileName, "the subtype written after the questions");
        assertEquals(List.of("yes", "no"), seven.questions.stream().map(q -> q.answer()).toList(), "file order");
        assertEquals(List.of("annotation.missing_answers"), r.problems.stream().map(ReadResult.Problem::reason)
                .toList());

        Files.writeString(dir.resolve("val_questions.json"), """
                {"q1": {"imageId": "n1", "question": "What?", "answer": "a", "types": {"structural": "query"}},
                 "q2": {"imageId": "n2", "question": "Where?", "answer": "b"},
                 "q3": {"imageId": "n1", "question": "Who?", "answer": "c"},
                 "q4": {"imageId": "../x", "question": "Bad?", "answer": "d"}}""");
        ReadResult g = read("gqa", dir.resolve("val_questions.json"));
        Map<String, SourceItem> gqa = byId(g);
        assertEquals(2, gqa.size());
        assertEquals(List.of("a", "c"), gqa.get("n1").questions.stream().map(q -> q.answer()).toList());
        assertEquals("val", gqa.get("n1").split);
        assertEquals(List.of("annotation.malformed_question"), g.problems.stream().map(ReadResult.Problem::reason)
                .toList());
    }

    private static byte[] concat(String a, byte[] b, String c) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] z = c.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[x.length + b.length + z.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(b, 0, out, x.length, b.length);
        System.arraycopy(z, 0, out, x.length + b.length, z.length);
        return out;
    }
}
