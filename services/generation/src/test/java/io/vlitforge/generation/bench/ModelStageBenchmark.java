package io.vlitforge.generation.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vlitforge.shared.model.ChatClient;
import io.vlitforge.shared.model.ChatMessage;
import io.vlitforge.shared.model.TestEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model stage against a local OpenAI-protocol endpoint with a fixed per-request latency: achieved
 * requests/s over the ideal (in-flight limit / latency), at each in-flight limit given. A ratio near 1
 * means the client's permits, buckets and event-loop work add nothing measurable to the endpoint's own
 * latency. Run by {@code bin/vlit bench model}; not a test (no {@code Test} suffix), it lives next to the
 * stub server it needs. Prints one JSON object.
 *
 * <p>Arguments: latency in ms (default 200), requests per in-flight slot (default 20), then the
 * in-flight limits (default 16 256).
 */
public final class ModelStageBenchmark {

    private ModelStageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long latencyMs = args.length > 0 ? Long.parseLong(args[0]) : 200;
        int perSlot = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<Integer> limits = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            limits.add(Integer.parseInt(args[i]));
        }
        if (limits.isEmpty()) {
            limits = List.of(16, 256);
        }
        Vertx vertx = Vertx.vertx();
        StringBuilder json = new StringBuilder("{\"benchmark\":\"model\",\"latency_ms\":").append(latencyMs)
                .append(",\"runs\":[");
        try (FixedLatencyEndpoint server = new FixedLatencyEndpoint(latencyMs)) {
            for (int k = 0; k < limits.size(); k++) {
                int limit = limits.get(k);
                TestEndpoint endpoint = new TestEndpoint(server.baseUrl(), "bench-model", java.util.Optional.of("sk-bench"),
                        0.2, 256, 0.0, 0.0, limit, 10_000_000, 2_000_000_000, Duration.ofSeconds(30), 3,
                        Duration.ofMillis(50), Duration.ofSeconds(2), 5, Duration.ofSeconds(1));
                try (ChatClient client = new ChatClient("bench", endpoint, vertx, new SimpleMeterRegistry())) {
                    run(client, limit * 2); // warm-up: connections opened, code compiled
                    server.resetCounters();
                    int requests = limit * perSlot;
                    long start = System.nanoTime();
                    double meanLatency = run(client, requests);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double achieved = requests / seconds;
                    double ideal = limit / (latencyMs / 1000.0);
                    json.append(k == 0 ? "" : ",").append(String.format(Locale.ROOT,
                            "{\"in_flight\":%d,\"requests\":%d,\"seconds\":%.3f,\"achieved_rps\":%.1f,"
                                    + "\"ideal_rps\":%.1f,\"ratio\":%.3f,\"mean_request_latency_ms\":%.1f,"
                                    + "\"server_max_concurrent\":%d}",
                            limit, requests, seconds, achieved, ideal, achieved / ideal, meanLatency,
                            server.maxConcurrent()));
                }
            }
        } finally {
            vertx.closeAndAwait();
        }
        System.out.println(json.append("]}"));
        System.exit(0);
    }

    /**
     * The endpoint: an event-loop server that answers every chat-completions request with the same
     * reply after exactly {@code latencyMs}, on timers, so that it can hold hundreds of requests at once
     * without adding latency of its own (the JDK server of the tests costs tens of ms per request).
     */
    static final class FixedLatencyEndpoint implements AutoCloseable {
        private static final String REPLY = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
                + "\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Question:\\nWhat is shown?\\n===\\nAnswer:\\nA red fire hydrant deep in the snow.\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":16,"
                + "\"total_tokens\":56}}";
        private final io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger max = new java.util.concurrent.atomic.AtomicInteger();
        private final io.vertx.core.http.HttpServer server;

        FixedLatencyEndpoint(long latencyMs) throws Exception {
            server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setTcpNoDelay(true))
                    .requestHandler(req -> req.body().onSuccess(body -> {
                        max.accumulateAndGet(active.incrementAndGet(), Math::max);
                        vertx.setTimer(latencyMs, id -> {
                            active.decrementAndGet();
                            req.response().putHeader("Content-Type", "application/json").end(REPLY);
                        });
                    }))
                    .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.actualPort() + "/v1";
        }

        int maxConcurrent() {
            return max.get();
        }

        void resetCounters() {
            max.set(0);
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /** Sends {@code n} requests at once (the client's permits let them out) and returns their mean latency. */
    private static double run(ChatClient client, int n) {
        List<Uni<io.vlitforge.shared.model.ChatResult>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            calls.add(client.complete(List.of(ChatMessage.system("Write a conversation."),
                    ChatMessage.user("A red fire hydrant is deep in the snow. " + i))));
        }
        return Uni.join().all(calls).andFailFast().await().atMost(Duration.ofMinutes(10)).stream()
                .mapToLong(io.vlitforge.shared.model.ChatResult::latencyMs).average().orElse(0);
    }
}
