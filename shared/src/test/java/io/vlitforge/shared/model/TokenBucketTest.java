package io.vlitforge.shared.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket and the circuit breaker on a hand-driven clock; nothing else involved. */
class TokenBucketTest {

    @Test
    void aFullBucketServesOneSecondAtOnceThenSpacesReservations() {
        AtomicLong now = new AtomicLong(0);
        TokenBucket bucket = new TokenBucket(600, now::get); // 10 per second
        for (int i = 0; i < 10; i++) {
            assertEquals(0, bucket.reserve(1), "the first second's worth is there");
        }
        assertEquals(100_000_000L, bucket.reserve(1), 1, "the 11th waits a tenth of a second");
        assertEquals(200_000_000L, bucket.reserve(1), 1, "the 12th waits behind it");
        now.set(1_000_000_000L);
        assertTrue(bucket.reserve(1) == 0, "a second later the debt is repaid");
    }

    @Test
    void overEstimatedTokensAreGivenBack() {
        AtomicLong now = new AtomicLong(0);
        TokenBucket bucket = new TokenBucket(6000, now::get); // 100 per second
        assertEquals(0, bucket.reserve(100));
        assertTrue(bucket.reserve(50) > 0, "the bucket is empty");
        bucket.adjust(150);
        assertEquals(0, bucket.reserve(90), "the unused estimate came back");
    }

    @Test
    void theBreakerOpensAfterTheThresholdAndLetsOneTrialThroughLater() {
        AtomicLong now = new AtomicLong(0);
        CircuitBreaker breaker = new CircuitBreaker(3, 1_000, now::get);
        breaker.onFailure();
        breaker.onFailure();
        assertEquals(0, breaker.tryAcquire(), "two failures are not enough");
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state());
        assertEquals(1_000, breaker.tryAcquire());
        now.set(1_000);
        assertEquals(0, breaker.tryAcquire(), "the trial request");
        assertTrue(breaker.tryAcquire() > 0, "only one trial at a time");
        breaker.onFailure();
        assertEquals(CircuitBreaker.State.OPEN, breaker.state(), "a failed trial reopens");
        now.set(2_000);
        assertEquals(0, breaker.tryAcquire());
        breaker.onSuccess();
        assertEquals(CircuitBreaker.State.CLOSED, breaker.state());
        assertEquals(0, breaker.tryAcquire());
    }
}
