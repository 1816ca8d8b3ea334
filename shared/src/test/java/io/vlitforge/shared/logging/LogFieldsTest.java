package io.vlitforge.shared.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LogFields against the real JBoss logging MDC (off a Vert.x context: its thread-local form); nothing stubbed. */
class LogFieldsTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void fieldsLiveForTheScopeAndAnOuterValueComesBack() {
        MDC.put(LogFields.STEP, "filtering");
        try (LogFields outer = LogFields.of(LogFields.SAMPLE_ID, "s1", LogFields.IMAGE_ID, "i1")) {
            assertEquals("s1", MDC.get(LogFields.SAMPLE_ID));
            try (LogFields inner = LogFields.of(LogFields.SAMPLE_ID, "s2").and(LogFields.STEP, "judge")) {
                assertEquals("s2", MDC.get(LogFields.SAMPLE_ID));
                assertEquals("judge", MDC.get(LogFields.STEP));
                assertEquals("i1", MDC.get(LogFields.IMAGE_ID));
            }
            assertEquals("s1", MDC.get(LogFields.SAMPLE_ID));
            assertEquals("filtering", MDC.get(LogFields.STEP));
        }
        assertNull(MDC.get(LogFields.SAMPLE_ID));
        assertNull(MDC.get(LogFields.IMAGE_ID));
        assertEquals("filtering", MDC.get(LogFields.STEP), "a field set before the scope stays");
    }

    @Test
    void aNullValueIsLeftOutAndAKeySetTwiceEndsAsBefore() {
        try (LogFields ids = LogFields.of(LogFields.RUN_ID, null).and(LogFields.TASK, "caption")
                .and(LogFields.TASK, "vqa")) {
            assertNull(MDC.get(LogFields.RUN_ID));
            assertEquals("vqa", MDC.get(LogFields.TASK));
        }
        assertNull(MDC.get(LogFields.TASK));
    }

    @Test
    void runRemovesTheFieldsWhenTheBodyThrows() {
        assertThrows(IllegalStateException.class, () -> LogFields.of(LogFields.IMAGE_ID, "i9").run(() -> {
            assertEquals("i9", MDC.get(LogFields.IMAGE_ID));
            throw new IllegalStateException("boom");
        }));
        assertNull(MDC.get(LogFields.IMAGE_ID));
    }
}
