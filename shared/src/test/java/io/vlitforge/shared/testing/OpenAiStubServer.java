package io.vlitforge.shared.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A local HTTP server speaking the OpenAI chat-completions protocol ({@code POST /v1/chat/completions}),
 * standing in for a vLLM/Ollama/hosted endpoint in tests. Replies come from a responder (the tests use
 * LLaVA's real seed answers); faults are scripted in arrival order: 429 with Retry-After, 500, a hang
 * longer than the client's timeout, a body cut short, a body that is not JSON. It counts requests,
 * requests per distinct body, and the most requests it was ever serving at once.
 */
public final class OpenAiStubServer implements AutoCloseable {

    /** What the server does with one request instead of answering it. */
    public enum Fault { THROTTLE, SERVER_ERROR, HANG, TRUNCATED, MALFORMED_BODY }

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server writes headers and body separately; with Nagle's algorithm on, every reply then
        // waits ~40 ms for a delayed ACK, which would be the stub's latency, not the client's.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(300);
    private final Deque<Fault> script = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final AtomicInteger faultsServed = new AtomicInteger();
    private final Map<String, AtomicInteger> byBody = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> activeByModel = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxByModel = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requestsByModel = new ConcurrentHashMap<>();
    private final List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Function<JsonNode, String> responder = request -> "Hello.";
    private volatile long latencyMillis;
    private volatile long hangMillis = 3000;

    public OpenAiStubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public OpenAiStubServer responder(Function<JsonNode, String> responder) {
        this.responder = responder;
        return this;
    }

    public OpenAiStubServer latencyMillis(long millis) {
        this.latencyMillis = millis;
        return this;
    }

    public OpenAiStubServer hangMillis(long millis) {
        this.hangMillis = millis;
        return this;
    }

    /** The next requests, in arrival order, get these faults. */
    public synchronized OpenAiStubServer script(Fault... faults) {
        script.addAll(List.of(faults));
        return this;
    }

    public int requests() {
        return requests.get();
    }

    public int maxConcurrent() {
        return maxActive.get();
    }

    /** The most requests for one model (one step's endpoint) served at once. */
    public int maxConcurrent(String model) {
        AtomicInteger n = maxByModel.get(model);
        return n == null ? 0 : n.get();
    }

    public int requests(String model) {
        AtomicInteger n = requestsByModel.get(model);
        return n == null ? 0 : n.get();
    }

    public int faultsServed() {
        return faultsServed.get();
    }

    public synchronized int faultsPending() {
        return script.size();
    }

    /** Requests that carried this exact request body. */
    public int requestsFor(String body) {
        AtomicInteger n = byBody.get(body);
        return n == null ? 0 : n.get();
    }

    public List<String> authorizations() {
        return authorizations;
    }

    public void resetCounters() {
        requests.set(0);
        maxActive.set(0);
        faultsServed.set(0);
        byBody.clear();
        maxByModel.clear();
        requestsByModel.clear();
    }

    private synchronized Fault nextFault() {
        return script.poll();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        String model = "?";
        try {
            model = JSON.readTree(raw).path("model").asText("?");
        } catch (IOException notJson) {
            // counted under "?"
        }
        requestsByModel.computeIfAbsent(model, m -> new AtomicInteger()).incrementAndGet();
        AtomicInteger modelActive = activeByModel.computeIfAbsent(model, m -> new AtomicInteger());
        maxByModel.computeIfAbsent(model, m -> new AtomicInteger()).accumulateAndGet(modelActive.incrementAndGet(),
                Math::max);
        maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        // A request stops counting just before its reply is written (or when it starts hanging, since the
        // client gives up on it): the client counts it as in flight until the whole reply has arrived, so
        // what the server counts is never more than what the client has outstanding.
        java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable finish = () -> {
            if (finished.compareAndSet(false, true)) {
                modelActive.decrementAndGet();
                active.decrementAndGet();
            }
        };
        try {
            serve(exchange, new String(raw, StandardCharsets.UTF_8), finish);
        } catch (IOException | RuntimeException e) {
            try {
                exchange.close();
            } catch (RuntimeException ignored) {
                // the connection is gone already
            }
        } finally {
            finish.run();
        }
    }

    private void serve(HttpExchange exchange, String body, Runnable finish) throws IOException {
        requests.incrementAndGet();
        byBody.computeIfAbsent(body, b -> new AtomicInteger()).incrementAndGet();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            authorizations.add(auth);
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, "{\"error\":{\"message\":\"POST only\"}}", finish);
            return;
        }
        Fault fault = nextFault();
        if (fault != null) {
            faultsServed.incrementAndGet();
        }
        if (fault == Fault.THROTTLE) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            respond(exchange, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit\"}}", finish);
            return;
        }
        if (fault == Fault.SERVER_ERROR) {
            respond(exchange, 500, "{\"error\":{\"message\":\"internal error\"}}", finish);
            return;
        }
        if (fault == Fault.HANG) {
            finish.run();
            sleep(hangMillis);
        } else if (latencyMillis > 0) {
            sleep(latencyMillis);
        }
        JsonNode request = JSON.readTree(body);
        String content = responder.apply(request);
        String reply = completion(request, content);
        if (fault == Fault.MALFORMED_BODY) {
            respond(exchange, 200, "{\"id\": \"chatcmpl-1\", \"choices\": [{\"message\": <html>oops", finish);
            return;
        }
        if (fault == Fault.TRUNCATED) {
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            finish.run();
            exchange.sendResponseHeaders(200, bytes.length);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            exchange.close();
            return;
        }
        respond(exchange, 200, reply, finish);
    }

    private static String completion(JsonNode request, String content) {
        ObjectNode reply = JSON.createObjectNode();
        reply.put("id", "chatcmpl-" + Integer.toHexString(content.hashCode()));
        reply.put("object", "chat.completion");
        reply.put("created", System.currentTimeMillis() / 1000);
        reply.put("model", request.path("model").asText());
        ObjectNode choice = reply.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        ObjectNode usage = reply.putObject("usage");
        long prompt = Math.max(1, request.path("messages").toString().length() / 4);
        long completion = Math.max(1, content.split("\\s+").length * 4L / 3);
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return reply.toString();
    }

    private static void respond(HttpExchange exchange, int status, String body, Runnable finish) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        finish.run();
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
