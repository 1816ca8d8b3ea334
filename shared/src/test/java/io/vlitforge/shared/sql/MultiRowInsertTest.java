package io.vlitforge.shared.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Pure unit test of the placeholder builder: nothing external. */
class MultiRowInsertTest {

    @Test
    void numbersParametersRowByRow() {
        assertEquals("(?1, ?2, ?3)", MultiRowInsert.values(1, 3));
        assertEquals("(?1, ?2), (?3, ?4), (?5, ?6)", MultiRowInsert.values(3, 2));
        assertThrows(IllegalArgumentException.class, () -> MultiRowInsert.values(0, 2));
    }
}
