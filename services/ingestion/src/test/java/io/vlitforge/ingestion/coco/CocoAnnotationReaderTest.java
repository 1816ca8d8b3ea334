package io.vlitforge.ingestion.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real COCO fixture files and hand-broken copies; nothing external, nothing stubbed. */
class CocoAnnotationReaderTest {

    private final CocoAnnotationReader reader = new CocoAnnotationReader();

    @Test
    void readsTheRealCocoMiniAnnotations() throws IOException {
        Path annotations = Fixtures.cocoMini().resolve("annotations");
        assertEquals(List.of("train2017"), reader.splits(annotations));
        CocoDataset data = reader.read(annotations, "train2017");
        assertEquals(80, data.images().size());
        assertEquals(400, data.captionsByImage().values().stream().mapToInt(List::size).sum());
        assertEquals(739, data.boxesByImage().values().stream().mapToInt(List::size).sum() + data.problems().stream()
                .filter(p -> p.item().startsWith("instance")).count());
        assertTrue(data.images().stream().allMatch(i -> i.licence() != null && i.licence().name() != null),
                "every COCO image carries its licence");
        assertTrue(data.boxesByImage().values().stream().flatMap(List::stream)
                .allMatch(b -> !b.box().category().isBlank()), "category ids are resolved to names");
    }

    @Test
    void badEntriesBecomeProblemsAndTheRestIsUsed(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("captions_x.json"), """
                {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10},
                            {"id": "no", "file_name": "b.jpg"},
                            {"id": 3, "file_name": "../etc/passwd", "width": 10, "height": 10}],
                 "annotations": [{"id": 1, "image_id": 1, "caption": "a dot"},
                                 {"id": 2, "image_id": 1, "caption": "   "},
                                 {"id": 3, "image_id": 9, "caption": "lost"},
                                 {"id": 4, "image_id": 1}]}""");
        Files.writeString(dir.resolve("instances_x.json"), """
                {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
                 "categories": [{"id": 1, "name": "dot"}],
                 "annotations": [{"id": 5, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3]},
                                 {"id": 6, "image_id": 1, "category_id": 1, "bbox": [8, 8, 5, 5]},
                                 {"id": 7, "image_id": 1, "category_id": 2, "bbox": [1, 1, 3, 3]},
                                 {"id": 8, "image_id": 1, "category_id": 1, "bbox": [1, 1]}]}""");
        CocoDataset data = reader.read(dir, "x");
        assertEquals(1, data.images().size());
        assertEquals(1, data.captionsOf(1).size());
        assertEquals(1, data.boxesOf(1).size());
        List<String> reasons = data.problems().stream().map(CocoDataset.AnnotationProblem::reason).sorted().toList();
        assertEquals(List.of("annotation.box_out_of_bounds", "annotation.empty_caption",
                "annotation.malformed_box", "annotation.malformed_caption", "annotation.malformed_image",
                "annotation.unknown_category", "annotation.unknown_image", "annotation.unsafe_file_name"), reasons);
    }

    @Test
    void aFileThatIsNotJsonIsRefusedWithItsName(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("captions_bad.json"), "{\"images\": [");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> reader.read(dir, "bad"));
        assertTrue(e.getMessage().contains("captions_bad.json"), e.getMessage());
        assertThrows(CocoFormatException.class, () -> reader.splits(dir.resolve("missing")));
    }
}
