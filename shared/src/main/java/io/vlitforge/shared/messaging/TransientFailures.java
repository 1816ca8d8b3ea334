package io.vlitforge.shared.messaging;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Failures that say nothing about the records being processed: the database, the broker or the object store
 * was unreachable, restarting or overloaded. A batch that fails for such a reason is tried again, as it is,
 * until it succeeds, instead of going to the dead-letter topic: dead-lettering it would drop good records
 * because a server restarted. A batch that fails for any other reason keeps its consumer's failure strategy.
 * <p>
 * Poison records never reach this: each consumer dead-letters an unreadable record by itself and processes
 * the rest of its batch.
 */
public final class TransientFailures {

    /** The first pause between attempts; it doubles up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** SQLSTATE classes and codes of a server that is down, starting, stopping or out of resources. */
    private static final List<String> TRANSIENT_SQL_STATES = List.of("08", "53", "57P01", "57P02", "57P03",
            "40001", "40P01", "55P03");

    /** What the clients say when a connection went away (some wrap no typed cause). */
    private static final List<String> TRANSIENT_MESSAGES = List.of("connection refused", "connection reset",
            "connection closed", "connection was closed", "closed connection", "pool closed", "broken pipe",
            "read any response from the server", "the database system is starting up",
            "the database system is shutting down", "the database system is in recovery mode",
            "terminating connection", "timed out", "timeout", "unexpected end of stream", "stream was reset",
            "socket closed");

    private TransientFailures() {
    }

    /** True when {@code failure} or one of its causes says a server was unreachable or restarting. */
    public static boolean isTransient(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            String type = t.getClass().getName();
            if (t instanceof java.util.concurrent.TimeoutException || isNetworkIo(t, type)) {
                return true;
            }
            if (type.startsWith("org.apache.kafka.common.errors.")
                    && (isKafkaRetriable(t) || type.endsWith("TimeoutException"))) {
                return true;
            }
            String state = sqlState(t);
            if (state != null && TRANSIENT_SQL_STATES.stream().anyMatch(state::startsWith)) {
                return true;
            }
            String message = t.getMessage();
            if (message != null) {
                String lower = message.toLowerCase(Locale.ROOT);
                if (TRANSIENT_MESSAGES.stream().anyMatch(lower::contains)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code work} subscribed again after a pause while it fails transiently, for as long as that lasts; any
     * other failure passes through. Each attempt runs on the Vert.x context the call was made on (database
     * sessions are bound to it), and every transient failure is logged with its attempt number.
     */
    public static <T> Uni<T> retried(Supplier<Uni<? extends T>> work, String what, Logger log) {
        Context context = Vertx.currentContext();
        return attempt(work, what, log, context, 1);
    }

    private static <T> Uni<T> attempt(Supplier<Uni<? extends T>> work, String what, Logger log, Context context, int n) {
        return Uni.createFrom().<T>deferred(work).onFailure(TransientFailures::isTransient).recoverWithUni(e -> {
            long pause = backoffMillis(n);
            log.warnf("%s failed transiently (attempt %d), trying again in %d ms: %s", what, n, pause,
                    describe(e));
            return pause(context, pause).chain(() -> attempt(work, what, log, context, n + 1));
        });
    }

    /** The pause before attempt {@code n + 1}: 250 ms doubled per attempt, at most 5 s. */
    static long backoffMillis(int n) {
        long pause = FIRST_BACKOFF.toMillis() << Math.min(n - 1, 10);
        return Math.min(pause, MAX_BACKOFF.toMillis());
    }

    /** Blocking form for worker threads: runs {@code work} again after a pause while it fails transiently. */
    public static <T> T retriedBlocking(java.util.concurrent.Callable<T> work, String what, Logger log)
            throws Exception {
        for (int n = 1;; n++) {
            try {
                return work.call();
            } catch (Exception e) {
                if (!isTransient(e)) {
                    throw e;
                }
                long pause = backoffMillis(n);
                log.warnf("%s failed transiently (attempt %d), trying again in %d ms: %s", what, n, pause,
                        describe(e));
                Thread.sleep(pause);
            }
        }
    }

    private static Uni<Void> pause(Context context, long millis) {
        if (context == null) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(millis));
        }
        return Uni.createFrom().emitter(emitter -> context.owner().setTimer(millis,
                id -> context.runOnContext(ignored -> emitter.complete(null))));
    }

    /** The failure and its innermost cause, on one line. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String outer = e.getClass().getSimpleName() + ": " + e.getMessage();
        return root == e ? outer : outer + " (cause " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /**
     * An I/O failure of a connection (socket, channel, HTTP client), not of a file or of parsing: a missing
     * file or malformed JSON is also an {@link IOException} and is the input's fault, never retried.
     */
    private static boolean isNetworkIo(Throwable t, String type) {
        if (!(t instanceof IOException)) {
            return false;
        }
        return type.startsWith("java.net.") || t instanceof java.nio.channels.ClosedChannelException
                || t instanceof java.io.InterruptedIOException || type.startsWith("okhttp3.")
                || type.startsWith("io.netty.") || type.startsWith("io.vertx.");
    }

    private static boolean isKafkaRetriable(Throwable t) {
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getName().equals("org.apache.kafka.common.errors.RetriableException")) {
                return true;
            }
        }
        return false;
    }

    /** The SQLSTATE of a PostgreSQL or JDBC error, read without a compile-time dependency on either client. */
    private static String sqlState(Throwable t) {
        if (t instanceof java.sql.SQLException sql) {
            return sql.getSQLState();
        }
        if (!t.getClass().getName().endsWith("PgException")) {
            return null;
        }
        try {
            Method getter = t.getClass().getMethod("getSqlState");
            Object state = getter.invoke(t);
            return state == null ? null : state.toString();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
