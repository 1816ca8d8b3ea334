package io.vlitforge.shared.logging;

import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.MDC;

/**
 * Puts the ids of what a piece of code works on into the logging MDC for as long as a try-with-resources
 * block runs, and puts back what was there before when it closes. The JSON log format writes the MDC as
 * the {@code mdc} object of every line, so a line about a sample carries {@code mdc.sampleId}.
 *
 * <p>Why a scope and not a plain {@code MDC.put}: the consumers take a whole poll as a batch on one Vert.x
 * duplicated context, and Quarkus keeps the MDC in that context's locals (or in a thread local off a
 * Vert.x context). A per-record id put there and left behind would label the lines of the next record, and
 * of every asynchronous continuation of the batch. So ids are set only around synchronous code (the loop
 * body that handles one record, the call that logs) and removed before that code returns. A line logged
 * later in an asynchronous callback carries the ids that callback sets itself.
 */
public final class LogFields implements AutoCloseable {

    /** sha256 of an image's bytes. */
    public static final String IMAGE_ID = "imageId";
    /** Id of a generated sample. */
    public static final String SAMPLE_ID = "sampleId";
    /** An ingest run (one import or ingest request). */
    public static final String RUN_ID = "runId";
    /** The pipeline step doing the work: {@code adaption}, {@code si-conversation}, {@code filtering}, ... */
    public static final String STEP = "step";
    /** The filter a verdict is about. */
    public static final String FILTER = "filter";
    /** The task of a sample. */
    public static final String TASK = "task";
    /** A release, as {@code name/version}. */
    public static final String RELEASE = "release";

    private final List<String> keys = new ArrayList<>(4);
    private final List<Object> previous = new ArrayList<>(4);

    private LogFields() {
    }

    /** A scope with one field; a null value is left out. */
    public static LogFields of(String key, Object value) {
        return new LogFields().and(key, value);
    }

    /** A scope with two fields; null values are left out. */
    public static LogFields of(String key, Object value, String key2, Object value2) {
        return new LogFields().and(key, value).and(key2, value2);
    }

    /** Adds a field to this scope (a null value is left out); closing the scope removes it again. */
    public LogFields and(String key, Object value) {
        if (value != null) {
            keys.add(key);
            previous.add(MDC.put(key, value.toString()));
        }
        return this;
    }

    /** Runs {@code body} with the fields set; they are removed when it returns or throws. */
    public void run(Runnable body) {
        try (this) {
            body.run();
        }
    }

    @Override
    public void close() {
        // In reverse, so a key set twice in one scope ends with the value it had before the scope.
        for (int i = keys.size() - 1; i >= 0; i--) {
            Object before = previous.get(i);
            if (before == null) {
                MDC.remove(keys.get(i));
            } else {
                MDC.put(keys.get(i), before);
            }
        }
        keys.clear();
        previous.clear();
    }
}
