package io.vlitforge.generation.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vlitforge.generation.config.GenerationConfig;
import io.vlitforge.shared.model.ChatClient;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link ChatClient} per step, built on first use from {@code vlit.generation.steps.<step>.*}: a
 * step that is not deployed never opens a connection, and each step's limits apply to that step alone.
 */
@ApplicationScoped
public class ChatClients {

    private final GenerationConfig config;
    private final Vertx vertx;
    private final MeterRegistry metrics;
    private final Map<String, ChatClient> clients = new ConcurrentHashMap<>();

    public ChatClients(GenerationConfig config, Vertx vertx, MeterRegistry metrics) {
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
    }

    public ChatClient forStep(String step) {
        return clients.computeIfAbsent(step, s -> {
            GenerationConfig.ModelEndpoint endpoint = config.steps().get(s);
            if (endpoint == null) {
                throw new IllegalStateException("no model endpoint configured for step " + s
                        + " (vlit.generation.steps." + s + ".base-url and .model)");
            }
            return new ChatClient(s, endpoint, vertx, metrics);
        });
    }

    @PreDestroy
    void close() {
        clients.values().forEach(ChatClient::close);
    }
}
