package io.vlitforge.shared.model;

import java.util.function.LongSupplier;

/**
 * A token bucket for a per-minute budget (requests or tokens) that lends: a caller reserves what it
 * needs and is told how long to wait before spending it, so reservations are served in arrival order
 * and the budget holds over every window. The bucket holds at most one second's worth, so a cold
 * start cannot burst a whole minute's budget at once.
 */
public final class TokenBucket {

    private final double perNano;
    private final double capacity;
    private final LongSupplier clock;
    private double available;
    private long last;

    public TokenBucket(double perMinute, LongSupplier nanoClock) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("a per-minute limit must be positive, got " + perMinute);
        }
        this.perNano = perMinute / 60e9;
        this.capacity = Math.max(1.0, perMinute / 60.0);
        this.clock = nanoClock;
        this.last = nanoClock.getAsLong();
        this.available = capacity;
    }

    public TokenBucket(double perMinute) {
        this(perMinute, System::nanoTime);
    }

    /**
     * Takes {@code amount} and returns the nanoseconds to wait before using it (0 when it is there now).
     * An amount above the capacity is allowed: it waits for the debt to be repaid.
     */
    public synchronized long reserve(double amount) {
        refill();
        available -= amount;
        return available >= 0 ? 0 : (long) Math.ceil(-available / perNano);
    }

    /** Gives back what a reservation over-estimated, or takes what it under-estimated. */
    public synchronized void adjust(double delta) {
        refill();
        available = Math.min(capacity, available + delta);
    }

    private void refill() {
        long now = clock.getAsLong();
        available = Math.min(capacity, available + (now - last) * perNano);
        last = now;
    }
}
