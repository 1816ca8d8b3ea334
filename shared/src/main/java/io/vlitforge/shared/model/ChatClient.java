package io.vlitforge.shared.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A client for one OpenAI-compatible chat-completions endpoint (vLLM, SGLang, Ollama, llama.cpp's
 * server, a hosted API), as one self-instruct step uses it. It never blocks a thread (Vert.x HTTP
 * client, timers for every wait) and is polite by construction: at most {@code maxInFlight} requests on
 * the wire, requests/min and tokens/min held by token buckets, retries with exponential backoff and
 * jitter on 429, 5xx, timeouts and broken bodies (a Retry-After header is honoured), and a circuit
 * breaker that holds requests back while the endpoint keeps failing. The API key goes into the
 * Authorization header and nowhere else. Its metrics carry the using service's prefix
 * ({@code vlit.generation.model} for the self-instruct steps, {@code vlit.filtering.judge} for the judge).
 */
public final class ChatClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The metric prefix of the generation service's self-instruct steps. */
    public static final String GENERATION_METRICS = "vlit.generation.model";

    private final String prefix;
    private final String step;
    private final ModelEndpoint endpoint;
    private final Vertx vertx;
    private final HttpClient http;
    private final String url;
    private final AsyncPermits permits;
    private final TokenBucket requestBucket;
    private final TokenBucket tokenBucket;
    private final CircuitBreaker breaker;
    private final MeterRegistry metrics;
    private final Timer latency;
    // Resolved once: a registry lookup per request shows at hundreds of requests per second.
    private final io.micrometer.core.instrument.Counter okRequests;
    private final io.micrometer.core.instrument.Counter promptTokens;
    private final io.micrometer.core.instrument.Counter completionTokens;
    private final io.micrometer.core.instrument.Counter cost;

    public ChatClient(String step, ModelEndpoint endpoint, Vertx vertx, MeterRegistry metrics) {
        this(GENERATION_METRICS, step, endpoint, vertx, metrics);
    }

    /** A client whose metrics are named {@code <metricPrefix>.requests}, {@code .tokens}, {@code .cost}, .... */
    public ChatClient(String metricPrefix, String step, ModelEndpoint endpoint, Vertx vertx, MeterRegistry metrics) {
        this.prefix = metricPrefix;
        this.step = step;
        this.endpoint = endpoint;
        this.vertx = vertx;
        this.metrics = metrics;
        String base = endpoint.baseUrl().endsWith("/") ? endpoint.baseUrl().substring(0, endpoint.baseUrl().length() - 1)
                : endpoint.baseUrl();
        this.url = base + "/chat/completions";
        this.http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(endpoint.maxInFlight())
                .setKeepAlive(true).setConnectTimeout((int) Math.min(Integer.MAX_VALUE, endpoint.timeout().toMillis())));
        this.permits = new AsyncPermits(endpoint.maxInFlight());
        this.requestBucket = new TokenBucket(endpoint.requestsPerMinute());
        this.tokenBucket = new TokenBucket(endpoint.tokensPerMinute());
        this.breaker = new CircuitBreaker(endpoint.breakerFailureThreshold(), endpoint.breakerOpenFor().toNanos(),
                System::nanoTime);
        this.latency = Timer.builder(prefix + ".latency").tag("step", step).tag("model", endpoint.model())
                .publishPercentileHistogram(false).register(metrics);
        this.okRequests = metrics.counter(prefix + ".requests", "step", step, "model", endpoint.model(),
                "outcome", "ok");
        this.promptTokens = metrics.counter(prefix + ".tokens", "step", step, "model", endpoint.model(),
                "kind", "prompt");
        this.completionTokens = metrics.counter(prefix + ".tokens", "step", step, "model",
                endpoint.model(), "kind", "completion");
        this.cost = metrics.counter(prefix + ".cost", "step", step, "model", endpoint.model());
        metrics.gauge(prefix + ".in_flight", List.of(io.micrometer.core.instrument.Tag.of("step", step)),
                permits, AsyncPermits::inUse);
        metrics.gauge(prefix + ".breaker_open", List.of(io.micrometer.core.instrument.Tag.of("step", step)),
                breaker, b -> b.state() == CircuitBreaker.State.CLOSED ? 0 : 1);
    }

    public String step() {
        return step;
    }

    public ModelEndpoint endpoint() {
        return endpoint;
    }

    /** Requests currently holding an in-flight permit. */
    public int inFlight() {
        return permits.inUse();
    }

    /** The exact request body for these messages: what the cache key is computed from. */
    public String requestBody(List<ChatMessage> messages, int maxTokens) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", endpoint.model());
        ArrayNode array = body.putArray("messages");
        for (ChatMessage m : messages) {
            ObjectNode node = array.addObject();
            node.put("role", m.role());
            if (m.imageUrl() == null) {
                node.put("content", m.text());
            } else {
                ArrayNode parts = node.putArray("content");
                parts.addObject().put("type", "text").put("text", m.text());
                parts.addObject().put("type", "image_url").putObject("image_url").put("url", m.imageUrl());
            }
        }
        body.put("temperature", endpoint.temperature());
        body.put("max_tokens", maxTokens);
        body.put("stream", false);
        return body.toString();
    }

    public Uni<ChatResult> complete(List<ChatMessage> messages) {
        return complete(messages, endpoint.maxTokens());
    }

    public Uni<ChatResult> complete(List<ChatMessage> messages, int maxTokens) {
        String body = requestBody(messages, maxTokens);
        // Image bytes are not text tokens; an image is counted at the size servers typically bill it.
        long promptChars = messages.stream().mapToLong(m -> m.text() == null ? 0 : m.text().length()).sum();
        long images = messages.stream().filter(m -> m.imageUrl() != null).count();
        long estimate = promptChars / 4 + images * 600 + maxTokens;
        return attempt(body, estimate, 0);
    }

    private Uni<ChatResult> attempt(String body, long estimate, int retries) {
        return waitForBreaker()
                .chain(() -> permits.withPermit(() -> delay(Math.max(requestBucket.reserve(1),
                        tokenBucket.reserve(estimate))).chain(() -> send(body, retries))))
                .invoke(result -> {
                    breaker.onSuccess();
                    tokenBucket.adjust(estimate - (result.promptTokens() + result.completionTokens()));
                    okRequests.increment();
                    promptTokens.increment(result.promptTokens());
                    completionTokens.increment(result.completionTokens());
                    cost.increment(result.costUsd());
                    latency.record(result.latencyMs(), TimeUnit.MILLISECONDS);
                })
                .onFailure().recoverWithUni(e -> {
                    ModelCallException failure = e instanceof ModelCallException m ? m
                            : new ModelCallException("request failed: " + e, 0, true, -1);
                    count(outcome(failure));
                    if (!failure.retryable()) {
                        return Uni.createFrom().failure(failure);
                    }
                    breaker.onFailure();
                    if (retries >= endpoint.maxRetries()) {
                        return Uni.createFrom().failure(new ModelCallException("gave up after " + (retries + 1)
                                + " attempts: " + failure.getMessage(), failure.status(), true, -1));
                    }
                    return delay(TimeUnit.MILLISECONDS.toNanos(backoffMillis(retries, failure.retryAfterMillis())))
                            .chain(() -> attempt(body, estimate, retries + 1));
                });
    }

    /** Full-jitter exponential backoff, never shorter than what Retry-After asked for. */
    long backoffMillis(int retries, long retryAfterMillis) {
        long ceiling = Math.min(endpoint.maxBackoff().toMillis(),
                endpoint.initialBackoff().toMillis() * (1L << Math.min(20, retries)));
        long jittered = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        return Math.max(jittered, retryAfterMillis);
    }

    private Uni<Void> waitForBreaker() {
        long wait = breaker.tryAcquire();
        return wait == 0 ? Uni.createFrom().voidItem() : delay(wait).chain(this::waitForBreaker);
    }

    private Uni<Void> delay(long nanos) {
        if (nanos <= 0) {
            return Uni.createFrom().voidItem();
        }
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
        return Uni.createFrom().emitter(e -> vertx.setTimer(millis, id -> e.complete(null)));
    }

    private Uni<ChatResult> send(String body, int retries) {
        Duration timeout = endpoint.timeout();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .setIdleTimeout(timeout.toMillis())
                .putHeader("Content-Type", "application/json").putHeader("Accept", "application/json");
        endpoint.apiKey().filter(k -> !k.isBlank()).ifPresent(k -> options.putHeader("Authorization", "Bearer " + k));
        long start = System.nanoTime();
        return http.request(options)
                .chain(request -> request.send(Buffer.buffer(body)))
                .chain(response -> response.body().map(b -> new Raw(response.statusCode(),
                        response.getHeader("Retry-After"), b.toString(StandardCharsets.UTF_8.name()))))
                .ifNoItem().after(timeout).failWith(() -> new ModelCallException(
                        "no reply within " + timeout.toMillis() + " ms", 0, true, -1))
                .onFailure(e -> !(e instanceof ModelCallException)).transform(e -> new ModelCallException(
                        "connection failed: " + e.getMessage(), 0, true, -1))
                .map(raw -> parse(raw, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), retries));
    }

    private ChatResult parse(Raw raw, long latencyMs, int retries) {
        if (raw.status == 429 || raw.status == 408 || raw.status >= 500) {
            throw new ModelCallException("HTTP " + raw.status + ": " + snippet(raw.body), raw.status, true,
                    retryAfterMillis(raw.retryAfter));
        }
        if (raw.status >= 400 || raw.status < 200) {
            throw new ModelCallException("HTTP " + raw.status + ": " + snippet(raw.body), raw.status, false, -1);
        }
        JsonNode json;
        try {
            json = JSON.readTree(raw.body);
        } catch (Exception e) {
            throw new ModelCallException("malformed body: " + snippet(raw.body), raw.status, true, -1);
        }
        JsonNode choice = json == null ? null : json.path("choices").path(0);
        JsonNode content = choice == null ? null : choice.path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new ModelCallException("a body without choices[0].message.content: " + snippet(raw.body),
                    raw.status, true, -1);
        }
        JsonNode usage = json.path("usage");
        long prompt = usage.path("prompt_tokens").asLong(0);
        long completion = usage.path("completion_tokens").asLong(content.asText().length() / 4);
        double cost = prompt / 1000.0 * endpoint.pricePer1kPromptTokens()
                + completion / 1000.0 * endpoint.pricePer1kCompletionTokens();
        return new ChatResult(json.path("model").asText(endpoint.model()), content.asText(),
                choice.path("finish_reason").asText(null), prompt, completion, latencyMs, retries, cost, false);
    }

    private void count(String outcome) {
        metrics.counter(prefix + ".requests", "step", step, "model", endpoint.model(), "outcome", outcome)
                .increment();
    }

    private static String outcome(ModelCallException e) {
        if (e.status() == 429) {
            return "throttled";
        }
        if (e.status() >= 500) {
            return "server_error";
        }
        if (e.status() == 0) {
            return "timeout_or_connection";
        }
        return e.retryable() ? "malformed" : "refused";
    }

    static long retryAfterMillis(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            return (long) (Double.parseDouble(header.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (RuntimeException notADate) {
                return -1;
            }
        }
    }

    private static String snippet(String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }

    @Override
    public void close() {
        http.closeAndAwait();
    }

    private record Raw(int status, String retryAfter, String body) {
    }
}
