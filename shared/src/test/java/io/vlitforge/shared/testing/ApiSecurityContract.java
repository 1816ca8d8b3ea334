package io.vlitforge.shared.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The security contract every service's HTTP API keeps, run by a {@code @QuarkusTest} subclass in each service
 * (with the {@code %test} keys of {@link TestApiKeys}): no key or a wrong key is refused with 401, a key without
 * the endpoint's role with 403, the right role passes; health and metrics answer without a key; an oversized
 * body is refused with 413; and no key ever shows up in the log. It calls over plain HTTP (not RestAssured,
 * which sends the admin key by default). The shared endpoints ({@code /stats}, {@code /dead-letters}) are
 * checked for every service; a subclass lists its own role-guarded POSTs in {@link #guardedPosts()}, which are
 * sent a malformed body so that no check changes anything.
 */
public abstract class ApiSecurityContract {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    /** A body no endpoint accepts, so a check that gets past authorization changes nothing. */
    private static final String MALFORMED = "[";
    private static final String NO_CHANNEL = "/dead-letters/replay?channel=no-such-channel";

    /** This service's POST endpoints and the role each needs (besides the shared dead-letter replay). */
    protected Map<String, String> guardedPosts() {
        return Map.of();
    }

    private static String url(String path) {
        return RestAssured.baseURI + ":" + RestAssured.port + path;
    }

    private static HttpResponse<String> call(String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofMinutes(2))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        return call("GET", path, null, headers);
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return call("POST", path, body, headers);
    }

    private static String[] key(String key) {
        return new String[] {"X-Api-Key", key};
    }

    private static String keyFor(String role) {
        return switch (role) {
            case "read" -> TestApiKeys.READ;
            case "ingest" -> TestApiKeys.INGEST;
            case "operate" -> TestApiKeys.OPERATE;
            default -> throw new IllegalArgumentException(role);
        };
    }

    @Test
    void withoutAKeyEveryApiAnswers401() throws Exception {
        HttpResponse<String> r = get("/stats");
        assertEquals(401, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
                "a 401 tells the caller how to authenticate");
        assertEquals(401, get("/dead-letters").statusCode());
        assertEquals(401, post(NO_CHANNEL, "{}").statusCode());
        assertEquals(401, call("DELETE", "/dead-letters", null).statusCode(), "any other method needs a key too");
        assertEquals(401, get("/no-such-path").statusCode(), "an unknown path does not reveal itself");
        for (String path : guardedPosts().keySet()) {
            assertEquals(401, post(path, MALFORMED).statusCode(), "POST " + path);
        }
    }

    @Test
    void aWrongKeyIs401() throws Exception {
        assertEquals(401, get("/stats", key("not-a-configured-key-at-all")).statusCode());
        assertEquals(401, get("/stats", "Authorization", "Bearer not-a-configured-key-at-all").statusCode());
        // A configured key's prefix, or the key with something appended, is another key.
        assertEquals(401, get("/stats", key(TestApiKeys.READ.substring(0, 20))).statusCode());
        assertEquals(401, get("/stats", key(TestApiKeys.READ + "x")).statusCode());
    }

    @Test
    void aKeyWithoutTheRoleIs403() throws Exception {
        assertEquals(403, post(NO_CHANNEL, "{}", key(TestApiKeys.READ)).statusCode(), "read key on replay");
        assertEquals(403, post(NO_CHANNEL, "{}", key(TestApiKeys.INGEST)).statusCode(), "ingest key on replay");
        assertEquals(403, get("/stats", key(TestApiKeys.INGEST)).statusCode(), "ingest key on a read API");
        assertEquals(403, get("/dead-letters", key(TestApiKeys.OPERATE)).statusCode(), "operate key on a read API");
        for (Map.Entry<String, String> e : guardedPosts().entrySet()) {
            for (String role : List.of("read", "ingest", "operate")) {
                if (!role.equals(e.getValue())) {
                    assertEquals(403, post(e.getKey(), MALFORMED, key(keyFor(role))).statusCode(),
                            role + " key on POST " + e.getKey());
                }
            }
        }
    }

    @Test
    void theRightRolePasses() throws Exception {
        HttpResponse<String> stats = get("/stats", key(TestApiKeys.READ));
        assertEquals(200, stats.statusCode(), stats.body());
        assertEquals(200, get("/stats", "Authorization", "Bearer " + TestApiKeys.READ).statusCode(), "bearer form");
        assertEquals(200, get("/stats", "Authorization", "bearer " + TestApiKeys.ADMIN).statusCode());
        assertEquals(200, get("/dead-letters", key(TestApiKeys.READ)).statusCode());
        // Past authorization the endpoint itself answers: no such channel.
        HttpResponse<String> replay = post(NO_CHANNEL, "{}", key(TestApiKeys.OPERATE));
        assertEquals(404, replay.statusCode(), replay.body());
        assertTrue(replay.body().contains("no inbound channel"), replay.body());
        for (Map.Entry<String, String> e : guardedPosts().entrySet()) {
            // Past authorization the endpoint refuses the malformed body itself (and does nothing).
            assertEquals(400, post(e.getKey(), MALFORMED, key(keyFor(e.getValue()))).statusCode(),
                    "POST " + e.getKey());
        }
    }

    @Test
    void healthAndMetricsAreOpenByDefault() throws Exception {
        assertEquals(200, get("/q/health/live").statusCode());
        HttpResponse<String> metrics = get("/q/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("# TYPE"), "Prometheus text");
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(url(NO_CHANNEL))).timeout(Duration.ofMinutes(2))
                .expectContinue(true).header("Content-Type", "application/json")
                .header("X-Api-Key", TestApiKeys.ADMIN)
                .POST(HttpRequest.BodyPublishers.ofString(big)).build();
        assertEquals(413, HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
    }

    @Test
    void noKeyEverReachesTheLog() throws Exception {
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (lines) {
                    lines.add(record.getLoggerName() + " " + record.getMessage() + " "
                            + java.util.Arrays.toString(record.getParameters()) + " " + record.getThrown());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            String wrong = "wrong-key-that-must-not-be-logged-1234";
            get("/stats", key(wrong));
            get("/stats", "Authorization", "Bearer " + wrong);
            get("/stats", key(TestApiKeys.READ));
            post(NO_CHANNEL, "{}", key(TestApiKeys.READ));
            post(NO_CHANNEL, "{}", key(TestApiKeys.OPERATE));
            for (String path : guardedPosts().keySet()) {
                post(path, MALFORMED, key(TestApiKeys.ADMIN));
            }
            Logger.getLogger(ApiSecurityContract.class.getName()).warning("log-capture-marker");
        } finally {
            root.removeHandler(capture);
        }
        synchronized (lines) {
            assertTrue(lines.stream().anyMatch(l -> l.contains("log-capture-marker")), "the log is captured");
            for (String line : lines) {
                for (String secret : List.of("wrong-key-that-must-not-be-logged", TestApiKeys.READ,
                        TestApiKeys.OPERATE, TestApiKeys.ADMIN)) {
                    assertFalse(line.contains(secret), "a key in the log: " + line);
                }
            }
        }
    }
}
