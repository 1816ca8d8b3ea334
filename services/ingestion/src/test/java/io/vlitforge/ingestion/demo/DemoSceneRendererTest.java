package io.vlitforge.ingestion.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.ingestion.coco.CocoAnnotationReader;
import io.vlitforge.ingestion.coco.CocoDataset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders demo scenes and reads them back with the real COCO reader; nothing external. */
class DemoSceneRendererTest {

    @Test
    void rendersAValidCocoFolderWhoseBoxesHoldWhatWasDrawn(@TempDir Path dir) throws Exception {
        DemoSceneRenderer.DemoFolder folder = new DemoSceneRenderer().render(dir, 12, 7);
        CocoDataset data = new CocoAnnotationReader().read(folder.annotationsDir(), DemoSceneRenderer.SPLIT);
        assertEquals(12, data.images().size());
        assertTrue(data.problems().isEmpty(), () -> "problems: " + data.problems());
        for (CocoDataset.CocoImage image : data.images()) {
            assertEquals(5, data.captionsOf(image.id()).size());
            assertTrue(!data.boxesOf(image.id()).isEmpty());
            BufferedImage pixels = ImageIO.read(folder.imagesDir().resolve(image.fileName()).toFile());
            assertEquals(image.width(), pixels.getWidth());
            for (CocoDataset.CocoBox box : data.boxesOf(image.id())) {
                int cx = (int) (box.box().x() + box.box().width() / 2);
                int cy = (int) (box.box().y() + box.box().height() / 2);
                assertTrue((pixels.getRGB(cx, cy) & 0xffffff) != 0xf5f3ec,
                        "the centre of a " + box.box().category() + " box is painted, not background");
            }
        }
    }

    @Test
    void faultsAreTheKindsRealDataSetsHave(@TempDir Path dir) throws Exception {
        DemoSceneRenderer.DemoFolder folder = new DemoSceneRenderer().render(dir, 4, 7, true);
        CocoDataset data = new CocoAnnotationReader().read(folder.annotationsDir(), DemoSceneRenderer.SPLIT);
        assertEquals(5, data.images().size(), "the truncated image is listed like any other");
        assertEquals(java.util.List.of("annotation.box_out_of_bounds", "annotation.unknown_image"),
                data.problems().stream().map(CocoDataset.AnnotationProblem::reason).sorted().toList());
        byte[] truncated = Files.readAllBytes(folder.imagesDir().resolve("scene_truncated.png"));
        org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> io.vlitforge.ingestion.service.ImageInspector.inspect(truncated));
    }

    @Test
    void theSameSeedGivesTheSameBytes(@TempDir Path a, @TempDir Path b) throws Exception {
        new DemoSceneRenderer().render(a, 3, 11);
        new DemoSceneRenderer().render(b, 3, 11);
        for (String file : new String[] {"images/scene_00001.png", "images/scene_00003.png",
            "annotations/instances_demo.json", "annotations/captions_demo.json"}) {
            assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), file);
        }
    }
}
