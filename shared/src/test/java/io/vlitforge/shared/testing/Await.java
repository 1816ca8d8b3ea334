package io.vlitforge.shared.testing;

import java.time.Duration;
import java.util.Optional;

/**
 * Waits for something a real broker or database will do shortly: polls every 100 ms and fails with
 * {@code what} after the timeout (30 s by default, generous for a loaded 2-core machine).
 */
public final class Await {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** A condition that may need I/O to check. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value that may not be there yet. */
    @FunctionalInterface
    public interface Probe<T> {
        Optional<T> find() throws Exception;
    }

    private Await() {
    }

    public static void until(String what, Condition condition) throws Exception {
        value(what, () -> condition.holds() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    public static <T> T value(String what, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
        while (true) {
            Optional<T> found = probe.find();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEFAULT_TIMEOUT.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }
}
