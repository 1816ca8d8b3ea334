package io.vlitforge.shared.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.mutiny.Uni;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

class TransientFailuresTest {

    private static final Logger LOG = Logger.getLogger(TransientFailuresTest.class);

    @Test
    void serverOutagesAreTransientAndBadRecordsAreNot() {
        assertTrue(TransientFailures.isTransient(new ConnectException("Connection refused")));
        assertTrue(TransientFailures.isTransient(new CompletionException(new IllegalStateException("wrapped",
                new ConnectException("Connection refused")))));
        assertTrue(TransientFailures.isTransient(new org.apache.kafka.common.errors.TimeoutException(
                "Topic samples.accepted not present in metadata after 60000 ms.")));
        assertTrue(TransientFailures.isTransient(new org.apache.kafka.common.errors.NotLeaderOrFollowerException()));
        assertTrue(TransientFailures.isTransient(new SQLException("connection failure", "08006")));
        assertTrue(TransientFailures.isTransient(new SQLException("admin shutdown", "57P01")));
        assertTrue(TransientFailures.isTransient(new IllegalStateException(
                "FATAL: terminating connection due to administrator command")));

        assertFalse(TransientFailures.isTransient(new IllegalArgumentException("sample without id, imageId or task")));
        assertFalse(TransientFailures.isTransient(new SQLException("duplicate key value", "23505")));
        assertFalse(TransientFailures.isTransient(new SQLException("value too long", "22001")));
        assertFalse(TransientFailures.isTransient(new NullPointerException()));
        // Files and parsing are the input's fault, although they fail with IOExceptions too.
        assertFalse(TransientFailures.isTransient(new java.nio.file.NoSuchFileException("/data/instances.json")));
        assertFalse(TransientFailures.isTransient(new com.fasterxml.jackson.core.JsonParseException(null,
                "Unexpected character")));
        assertTrue(TransientFailures.isTransient(new java.net.SocketTimeoutException("Read timed out")));
        assertTrue(TransientFailures.isTransient(new java.nio.channels.ClosedChannelException()));
        // The PostgreSQL client when the server was stopped under a query (a fault run dead-lettered a batch for it).
        assertTrue(TransientFailures.isTransient(new RuntimeException("Failed to read any response from the server, "
                + "the underlying connection may have been lost unexpectedly.")));
        // The object store's HTTP client (okhttp, under the MinIO SDK) when s3proxy was killed mid-request.
        assertTrue(TransientFailures.isTransient(new IllegalStateException("cannot store images/ae/91/x.png in "
                + "bucket vlit: unexpected end of stream on http://127.0.0.1:38000/...",
                new java.io.IOException("unexpected end of stream on http://127.0.0.1:38000/..."))));
    }

    @Test
    void backoffDoublesUpToFiveSeconds() {
        assertEquals(250, TransientFailures.backoffMillis(1));
        assertEquals(500, TransientFailures.backoffMillis(2));
        assertEquals(4000, TransientFailures.backoffMillis(5));
        assertEquals(5000, TransientFailures.backoffMillis(6));
        assertEquals(5000, TransientFailures.backoffMillis(60));
    }

    @Test
    void aBatchFailingTransientlyIsTriedAgainUntilItSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        String result = TransientFailures.retried(() -> attempts.incrementAndGet() < 3
                ? Uni.createFrom().<String>failure(new ConnectException("Connection refused"))
                : Uni.createFrom().item("stored"), "test batch", LOG).await().atMost(Duration.ofSeconds(10));
        assertEquals("stored", result);
        assertEquals(3, attempts.get());
    }

    @Test
    void anyOtherFailurePassesThroughAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        IllegalArgumentException bad = new IllegalArgumentException("not an accepted sample");
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> TransientFailures
                .retried(() -> {
                    attempts.incrementAndGet();
                    return Uni.createFrom().<String>failure(bad);
                }, "test batch", LOG).await().atMost(Duration.ofSeconds(10)));
        assertSame(bad, thrown);
        assertEquals(1, attempts.get());
    }

    @Test
    void blockingWorkIsTriedAgainWhileItFailsTransiently() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        assertEquals("done", TransientFailures.retriedBlocking(() -> {
            if (attempts.incrementAndGet() < 2) {
                throw new java.io.UncheckedIOException(new java.net.SocketException("Connection reset"));
            }
            return "done";
        }, "test run", LOG));
        assertEquals(2, attempts.get());
        assertThrows(IllegalStateException.class, () -> TransientFailures.retriedBlocking(() -> {
            throw new IllegalStateException("bad request");
        }, "test run", LOG));
    }
}
