package io.vlitforge.shared.boxes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.boxes.BoxConventions.PixelBox;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exactness of the conversions between COCO, VG, corner and normalised boxes. */
class BoxConventionsTest {

    @Test
    void cocoAndVisualGenomeAreTheInternalConvention() {
        assertEquals(new PixelBox(421, 91, 79, 339), BoxConventions.toPixels("vg-xywh", 421, 91, 79, 339, 0, 0));
        assertEquals(new PixelBox(1.5, 2.25, 10, 20), BoxConventions.toPixels("coco-xywh", 1.5, 2.25, 10, 20, 0, 0));
    }

    @Test
    void cornersAreComputedInDecimalsNotBinaryFloatingPoint() {
        // In doubles 0.1 + 0.2 = 0.30000000000000004; the conversion is exact on the written decimals.
        PixelBox box = new PixelBox(0.1, 0.1, 0.2, 0.2);
        assertArrayEquals(new double[] {0.1, 0.1, 0.3, 0.3}, BoxConventions.fromPixels("xyxy", box, 0, 0));
        assertEquals(box, BoxConventions.toPixels("xyxy", 0.1, 0.1, 0.3, 0.3, 0, 0));
        assertEquals(new PixelBox(10, 20, 30, 40), BoxConventions.toPixels("xyxy", 10, 20, 40, 60, 0, 0));
    }

    @Test
    void llavaNormalisedCornersToPixelsAndBack() {
        // LLaVA's caps_boxes file: 3 decimals of [x1, y1, x2, y2] / image size.
        PixelBox box = BoxConventions.toPixels("normalised-xyxy", 0.37, 0.584, 0.504, 0.709, 640, 480);
        assertEquals(new PixelBox(236.8, 280.32, 85.76, 60), box);
        assertArrayEquals(new double[] {0.37, 0.584, 0.504, 0.709},
                BoxConventions.fromPixels("normalised-xyxy", box, 640, 480, 3));
        assertArrayEquals(new double[] {0.5, 0.25, 0.25, 0.5},
                BoxConventions.fromPixels("normalised-xywh", new PixelBox(320, 120, 160, 240), 640, 480));
    }

    @Test
    void everyConventionRoundTripsExactlyForPixelValuesWithUpToSixDecimals() {
        Random random = new Random(42);
        String[] conventions = {"coco-xywh", "vg-xywh", "xyxy", "normalised-xyxy", "normalised-xywh"};
        for (int i = 0; i < 20_000; i++) {
            int w = 1 + random.nextInt(5000);
            int h = 1 + random.nextInt(5000);
            double x = random.nextInt(w * 100) / 100.0;
            double y = random.nextInt(h * 1000) / 1000.0;
            // One division each, so every value is the double nearest its decimal, as a parsed file gives.
            double bw = (random.nextInt(1_000_000) + 1_000_000L * random.nextInt(Math.max(1, w - (int) x)))
                    / 1_000_000.0;
            double bh = (random.nextInt(1000) + 1000L * random.nextInt(Math.max(1, h - (int) y))) / 1000.0;
            PixelBox box = new PixelBox(x, y, bw, bh);
            for (String from : conventions) {
                double[] v = BoxConventions.fromPixels(from, box, w, h);
                assertEquals(box, BoxConventions.toPixels(from, v[0], v[1], v[2], v[3], w, h), from + " " + box);
                for (String to : conventions) {
                    double[] there = BoxConventions.convert(from, to, v[0], v[1], v[2], v[3], w, h);
                    double[] back = BoxConventions.convert(to, from, there[0], there[1], there[2], there[3], w, h);
                    assertArrayEquals(v, back, from + " -> " + to + " -> " + from);
                }
            }
        }
    }

    @Test
    void clippingSaysWhatItCutAndDropsBoxesWhollyOutside() {
        BoxConventions.Clipped inside = BoxConventions.clip(new PixelBox(0, 0, 640, 480), 640, 480);
        assertNull(inside.change());
        BoxConventions.Clipped cut = BoxConventions.clip(new PixelBox(-10, 470, 100, 20), 640, 480);
        assertEquals(new PixelBox(0, 470, 90, 10), cut.box());
        assertTrue(cut.change().contains("clipped to [0, 470, 90, 10] in 640x480"), cut.change());
        assertNull(BoxConventions.clip(new PixelBox(700, 10, 5, 5), 640, 480));
        assertNull(BoxConventions.clip(new PixelBox(10, 10, 0, 5), 640, 480));
    }

    @Test
    void rescalesBetweenImageSizes() {
        assertEquals(new PixelBox(50, 25, 100, 50),
                BoxConventions.rescale(new PixelBox(100, 50, 200, 100), 800, 600, 400, 300));
    }

    @Test
    void refusesUnknownConventionsNonFiniteValuesAndMissingSizes() {
        assertFalse(BoxConventions.known("yolo"));
        assertTrue(BoxConventions.known("VG-XYWH"));
        assertThrows(IllegalArgumentException.class, () -> BoxConventions.toPixels("yolo", 0, 0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> BoxConventions.toPixels("xyxy", Double.NaN, 0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> BoxConventions.toPixels("normalised-xyxy", 0, 0, 1, 1, 0, 480));
    }
}
