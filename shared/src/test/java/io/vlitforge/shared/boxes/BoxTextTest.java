package io.vlitforge.shared.boxes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of box text conventions: known values written by hand, and reading them back. */
class BoxTextTest {

    // A 200x100 box at (10, 20) in a 640x480 image: corners (10, 20) - (210, 120).
    private static String write(String convention) {
        return BoxText.format(convention, 10, 20, 200, 100, 640, 480);
    }

    @Test
    void eachConventionWritesTheBoxAsItsModelsExpect() {
        assertEquals("[0.016, 0.042, 0.328, 0.250]", write(BoxText.LLAVA));
        // padded to 640x640, the image moves down by 80: y 100..200 of 640
        assertEquals("[0.016, 0.156, 0.328, 0.313]", write(BoxText.LLAVA_SQUARE));
        assertEquals("<box>(16,42),(328,250)</box>", write(BoxText.QWEN_VL));
        assertEquals("<bin_16> <bin_42> <bin_328> <bin_250>", write(BoxText.OFA_BINS));
        assertEquals("{<2><4><33><25>}", write(BoxText.MINIGPT_V2));
        assertEquals("[10, 20, 210, 120]", write(BoxText.PIXELS));
        assertThrows(IllegalArgumentException.class, () -> write("yolo"));
        assertThrows(IllegalArgumentException.class, () -> BoxText.format(BoxText.LLAVA, 0, 0, 1, 1, 0, 0));
    }

    @Test
    void readingBackGivesTheCornersToThePrecisionOfTheText() {
        for (String convention : BoxText.CONVENTIONS) {
            List<BoxText.Corners> boxes = BoxText.parse(convention, "the dog " + write(convention) + " sleeps", 640, 480);
            assertEquals(1, boxes.size(), convention);
            BoxText.Corners c = boxes.get(0);
            double tolerance = convention.equals(BoxText.MINIGPT_V2) ? 6.5 : 1.0;
            assertEquals(10, c.x1(), tolerance, convention);
            assertEquals(20, c.y1(), tolerance, convention);
            assertEquals(210, c.x2(), tolerance, convention);
            assertEquals(120, c.y2(), tolerance, convention);
        }
    }
}
