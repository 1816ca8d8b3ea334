package io.vlitforge.shared.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vlitforge.shared.objectstore.ObjectKeys;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pure unit test of the id scheme: nothing external. */
class IdsTest {

    @Test
    void imageIdIsTheSha256OfTheBytes() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Ids.imageId("abc".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void sampleIdIsDeterministicAndDependsOnEveryField() {
        String id = Ids.sampleId("img", "recipe", "1", "task", "task/0", 42);
        assertEquals(id, Ids.sampleId("img", "recipe", "1", "task", "task/0", 42));
        assertEquals(32, id.length());
        assertNotEquals(id, Ids.sampleId("img2", "recipe", "1", "task", "task/0", 42));
        assertNotEquals(id, Ids.sampleId("img", "recipe", "2", "task", "task/0", 42));
        assertNotEquals(id, Ids.sampleId("img", "recipe", "1", "other", "task/0", 42));
        assertNotEquals(id, Ids.sampleId("img", "recipe", "1", "task", "task/1", 42));
        assertNotEquals(id, Ids.sampleId("img", "recipe", "1", "task", "task/0", 43));
    }

    @Test
    void fieldBoundariesCannotBeShifted() {
        assertNotEquals(Ids.sampleId("ab", "c", "1", "t", "x", 1), Ids.sampleId("a", "bc", "1", "t", "x", 1));
        assertNotEquals(Ids.seedOf("ab", "c"), Ids.seedOf("a", "bc"));
    }

    @Test
    void seedsAreStableAndNonNegative() {
        long seed = Ids.seedOf("image", "task");
        assertEquals(seed, Ids.seedOf("image", "task"));
        for (int i = 0; i < 1000; i++) {
            if (Ids.seedOf("image", Integer.toString(i)) < 0) {
                throw new AssertionError("negative seed for " + i);
            }
        }
    }

    @Test
    void imageKeysFanOutBySha256Prefix() {
        String id = Ids.imageId(new byte[] {1, 2, 3});
        assertEquals("images/" + id.substring(0, 2) + "/" + id.substring(2, 4) + "/" + id + ".jpeg",
                ObjectKeys.image(id, "JPEG"));
        assertThrows(IllegalArgumentException.class, () -> ObjectKeys.image("ab", "png"));
    }
}
