package io.vlitforge.shared.model;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * A semaphore that never blocks a thread: {@link #acquire()} completes when a permit is free, in
 * arrival order. It bounds the requests on the wire; the callers waiting for a permit are the images
 * of the batches in hand, never more, because the consumer takes a new batch only when the last one
 * is done.
 */
public final class AsyncPermits {

    private final int permits;
    private final Queue<Runnable> waiters = new ArrayDeque<>();
    private int inUse;

    public AsyncPermits(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("at least one permit, got " + permits);
        }
        this.permits = permits;
    }

    public Uni<Void> acquire() {
        return Uni.createFrom().emitter(emitter -> {
            boolean now;
            synchronized (this) {
                now = inUse < permits;
                if (now) {
                    inUse++;
                } else {
                    // A waiter cancelled before its turn passes the permit on instead of leaking it.
                    java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
                    emitter.onTermination(() -> settled.set(true));
                    waiters.add(() -> {
                        if (settled.compareAndSet(false, true)) {
                            emitter.complete(null);
                        } else {
                            release();
                        }
                    });
                }
            }
            if (now) {
                emitter.complete(null);
            }
        });
    }

    public void release() {
        Runnable next;
        synchronized (this) {
            next = waiters.poll();
            if (next == null) {
                inUse--;
            }
        }
        if (next != null) {
            next.run();
        }
    }

    public synchronized int inUse() {
        return inUse;
    }

    /** Runs {@code work} holding a permit, released however it ends. */
    public <T> Uni<T> withPermit(java.util.function.Supplier<Uni<T>> work) {
        return acquire().chain(() -> work.get().onTermination().invoke(this::release));
    }
}
