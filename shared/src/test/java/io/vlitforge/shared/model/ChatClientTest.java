package io.vlitforge.shared.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vlitforge.shared.testing.OpenAiStubServer.Fault;
import io.vlitforge.shared.testing.OpenAiStubServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The chat-completions client against a local HTTP server that speaks the OpenAI protocol (the only
 * stub); real Vert.x HTTP client, real timers. Faults are injected by the server, limits are checked
 * by counting at the server.
 */
class ChatClientTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private Vertx vertx;
    private OpenAiStubServer server;
    private SimpleMeterRegistry metrics;

    /**
     * Loads and warms the HTTP client, JSON and stub classes before any timed test: in a fresh JVM on a busy
     * machine the first requests can take longer than the tests' one-second timeout, and a retry would change
     * the counts the tests assert.
     */
    @BeforeAll
    static void warmUp() throws Exception {
        Vertx warm = Vertx.vertx();
        try (OpenAiStubServer stub = new OpenAiStubServer();
                ChatClient client = new ChatClient("warm-up", TestEndpoint.of(stub.baseUrl(), 4)
                        .withTimeout(Duration.ofSeconds(30)), warm, new SimpleMeterRegistry())) {
            List<Uni<ChatResult>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(client.complete(List.of(ChatMessage.user("warm " + i))));
            }
            Uni.join().all(calls).andFailFast().await().atMost(WAIT);
        } finally {
            warm.closeAndAwait();
        }
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new OpenAiStubServer().responder(r -> "Answer to " + r.path("messages").path(1).path("content").asText());
        metrics = new SimpleMeterRegistry();
    }

    @AfterEach
    void stop() {
        server.close();
        vertx.closeAndAwait();
    }

    private List<ChatResult> runAll(ChatClient client, int n) {
        List<Uni<ChatResult>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(client.complete(List.of(ChatMessage.system("be brief"), ChatMessage.user("question " + i))));
        }
        return Uni.join().all(calls).andFailFast().await().atMost(WAIT);
    }

    @Test
    void neverMoreRequestsOnTheWireThanTheInFlightLimit() {
        server.latencyMillis(30);
        // No request may time out here (it would be retried and counted twice), however busy the machine.
        TestEndpoint endpoint = TestEndpoint.of(server.baseUrl(), 4).withTimeout(Duration.ofSeconds(30));
        try (ChatClient client = new ChatClient("conversation", endpoint, vertx, metrics)) {
            List<ChatResult> results = runAll(client, 60);
            assertEquals(60, results.size());
            for (int i = 0; i < 60; i++) {
                assertEquals("Answer to question " + i, results.get(i).content(), "answers stay with their requests");
            }
            assertEquals(60, server.requests());
            assertTrue(server.maxConcurrent() <= 4, "at most 4 at once, saw " + server.maxConcurrent());
            assertEquals(0, client.inFlight(), "every permit is given back");
            assertTrue(server.authorizations().stream().allMatch("Bearer sk-test-secret"::equals));
            ChatResult first = results.get(0);
            assertTrue(first.promptTokens() > 0 && first.completionTokens() > 0, "usage is read from the reply");
            assertEquals(first.promptTokens() * 0.5 / 1000 + first.completionTokens() * 1.5 / 1000, first.costUsd(),
                    1e-12, "cost is priced per 1k prompt and completion tokens");
            assertEquals(60.0, metrics.counter("vlit.generation.model.requests", "step", "conversation", "model",
                    "test-model", "outcome", "ok").count());
        }
    }

    @Test
    void everyInjectedFaultIsRetriedAndNoAnswerIsLostOrDuplicated() {
        server.hangMillis(2500).script(Fault.THROTTLE, Fault.SERVER_ERROR, Fault.HANG, Fault.TRUNCATED,
                Fault.MALFORMED_BODY);
        try (ChatClient client = new ChatClient("detail", TestEndpoint.of(server.baseUrl(), 1), vertx, metrics)) {
            long start = System.nanoTime();
            List<ChatResult> results = runAll(client, 10);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(10, results.size());
            assertEquals(10, results.stream().map(ChatResult::content).distinct().count());
            assertEquals(5, server.faultsServed());
            assertEquals(15, server.requests(), "ten answers plus one retry per fault");
            assertEquals(5, results.stream().mapToInt(ChatResult::retries).sum(), "each fault cost one retry");
            assertTrue(elapsedMs >= 1000, "the 429's Retry-After of one second was honoured (" + elapsedMs + " ms)");
            assertTrue(metrics.counter("vlit.generation.model.requests", "step", "detail", "model", "test-model",
                    "outcome", "throttled").count() == 1.0);
        }
    }

    @Test
    void anOpenBreakerHoldsRequestsBackUntilTheEndpointRecovers() {
        server.script(Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR);
        TestEndpoint endpoint = TestEndpoint.of(server.baseUrl(), 2).withRetries(10)
                .withBreaker(2, Duration.ofMillis(400));
        try (ChatClient client = new ChatClient("reasoning", endpoint, vertx, metrics)) {
            long start = System.nanoTime();
            ChatResult result = runAll(client, 1).get(0);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals("Answer to question 0", result.content());
            assertEquals(4, result.retries());
            // Two failures open the breaker (400 ms), the trial fails and reopens it (400 ms), and so on.
            assertTrue(elapsedMs >= 800, "the breaker held the retries back, took " + elapsedMs + " ms");
        }
    }

    @Test
    void aRequestThatKeepsFailingGivesUpAfterItsRetries() {
        server.script(Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR);
        try (ChatClient client = new ChatClient("repair", TestEndpoint.of(server.baseUrl(), 1).withRetries(1), vertx,
                metrics)) {
            Throwable failure = client.complete(List.of(ChatMessage.user("x"))).onItem().<Throwable>transform(r -> null)
                    .onFailure().recoverWithItem(e -> e).await().atMost(WAIT);
            assertTrue(failure instanceof ModelCallException, "fails with " + failure);
            assertTrue(failure.getMessage().startsWith("gave up after 2 attempts"), failure.getMessage());
            assertFalse(failure.getMessage().contains("sk-test-secret"), "the key never appears in errors");
            assertEquals(2, server.requests());
        }
    }

    @Test
    void theRequestsPerMinuteLimitSpacesRequestsOut() {
        // 600/min is 10/s with a bucket of one second's worth: 30 requests need at least two seconds.
        TestEndpoint endpoint = TestEndpoint.of(server.baseUrl(), 8).withRequestsPerMinute(600);
        try (ChatClient client = new ChatClient("conversation", endpoint, vertx, metrics)) {
            long start = System.nanoTime();
            runAll(client, 30);
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMs >= 1900, "30 requests at 10/s took only " + elapsedMs + " ms");
        }
    }

    @Test
    void visionMessagesUseTheContentArrayForm() throws Exception {
        try (ChatClient client = new ChatClient("describe", TestEndpoint.of(server.baseUrl(), 1), vertx, metrics)) {
            String body = client.requestBody(List.of(ChatMessage.userWithImage("Describe.", "data:image/png;base64,AA==")),
                    64);
            com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            assertEquals("text", json.at("/messages/0/content/0/type").asText());
            assertEquals("data:image/png;base64,AA==", json.at("/messages/0/content/1/image_url/url").asText());
            assertEquals(64, json.path("max_tokens").asInt());
            assertEquals("test-model", json.path("model").asText());
        }
    }
}
