package io.vlitforge.shared.model;

import java.util.function.LongSupplier;

/**
 * Stops hammering an endpoint that keeps failing. After {@code threshold} consecutive failed attempts
 * the breaker opens: requests are held back (not failed) until {@code openFor} has passed, then one
 * trial request goes through; its success closes the breaker, its failure opens it again. Holding back
 * instead of failing is what turns an outage into a pause in consumption rather than lost images.
 */
public final class CircuitBreaker {

    /** The breaker's state, exported as a gauge. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final long openForNanos;
    private final LongSupplier clock;
    private int consecutiveFailures;
    private long openUntil;
    private boolean open;
    private boolean trialInFlight;

    public CircuitBreaker(int threshold, long openForNanos, LongSupplier nanoClock) {
        this.threshold = Math.max(1, threshold);
        this.openForNanos = openForNanos;
        this.clock = nanoClock;
    }

    /**
     * Asks to send one request: returns 0 when it may go now, or the nanoseconds to wait before asking
     * again. While half-open exactly one trial is let through.
     */
    public synchronized long tryAcquire() {
        if (!open) {
            return 0;
        }
        long now = clock.getAsLong();
        if (now < openUntil) {
            return openUntil - now;
        }
        if (trialInFlight) {
            return Math.max(1_000_000L, openForNanos / 10);
        }
        trialInFlight = true;
        return 0;
    }

    public synchronized void onSuccess() {
        consecutiveFailures = 0;
        open = false;
        trialInFlight = false;
    }

    public synchronized void onFailure() {
        consecutiveFailures++;
        if (trialInFlight || consecutiveFailures >= threshold) {
            open = true;
            trialInFlight = false;
            openUntil = clock.getAsLong() + openForNanos;
        }
    }

    public synchronized State state() {
        if (!open) {
            return State.CLOSED;
        }
        return clock.getAsLong() < openUntil ? State.OPEN : State.HALF_OPEN;
    }
}
