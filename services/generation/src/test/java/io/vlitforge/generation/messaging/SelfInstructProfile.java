package io.vlitforge.generation.messaging;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.vlitforge.shared.testing.OpenAiStubServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generation service with the LLaVA steps and MiniGPT-4's describe and repair steps switched on, each
 * step pointed at the local OpenAI-protocol server (one model name per step, so the server can count each
 * step's concurrency), with small limits and short timeouts so that injected faults are felt, on topics of
 * its own. {@link InContextProfile} switches on the in-context step instead of describe and repair.
 */
public class SelfInstructProfile implements QuarkusTestProfile {

    /** In-flight limits per step, asserted at the server. */
    static final Map<String, Integer> IN_FLIGHT = Map.of("conversation", 4, "detail", 2, "reasoning", 3,
            "describe", 3, "repair", 2, "in-context", 3);
    static final double PRICE_PROMPT = 0.5;
    static final double PRICE_COMPLETION = 1.5;
    static final int MIN_DESCRIPTION_TOKENS = 60;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        config.put("vlit.topic-prefix", System.getenv().getOrDefault("VLIT_RUN_ID", "dev") + topicPrefix());
        for (String channel : channels()) {
            config.put("mp.messaging.incoming." + channel + ".enabled", "true");
            config.put("mp.messaging.incoming." + channel + ".max.poll.records", "8");
        }
        IN_FLIGHT.forEach((step, limit) -> {
            String p = "vlit.generation.steps." + step + ".";
            config.put(p + "model", "stub-" + step);
            config.put(p + "api-key", "sk-stub-" + step);
            config.put(p + "max-in-flight", Integer.toString(limit));
            config.put(p + "timeout", "2s"); // under load (CI) a fault-free call must not time out
            config.put(p + "max-retries", "8");
            config.put(p + "initial-backoff", "20ms");
            config.put(p + "max-backoff", "400ms");
            config.put(p + "breaker-open-for", "300ms");
            config.put(p + "requests-per-minute", "60000");
            config.put(p + "price-per1k-prompt-tokens", Double.toString(PRICE_PROMPT));
            config.put(p + "price-per1k-completion-tokens", Double.toString(PRICE_COMPLETION));
        });
        config.put("vlit.generation.describe-repair.min-description-tokens", Integer.toString(MIN_DESCRIPTION_TOKENS));
        return config;
    }

    /** The channels switched on. */
    protected List<String> channels() {
        return List.of("si-conversation", "si-detail", "si-reasoning", "si-describe", "si-repair");
    }

    /** The steps (endpoints) those channels call. */
    protected List<String> steps() {
        return List.of("conversation", "detail", "reasoning", "describe", "repair");
    }

    protected String topicPrefix() {
        return ".generation-si-test.";
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(StubEndpoint.class));
    }

    /** Starts the stub endpoint before the application and points every step at it. */
    public static class StubEndpoint implements QuarkusTestResourceLifecycleManager {

        static volatile OpenAiStubServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = new OpenAiStubServer().hangMillis(4000).responder(LlavaReplies::reply);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            Map<String, String> config = new HashMap<>();
            IN_FLIGHT.keySet().forEach(step -> config.put("vlit.generation.steps." + step + ".base-url",
                    server.baseUrl()));
            return config;
        }

        @Override
        public void stop() {
            if (server != null) {
                server.close();
            }
        }
    }
}
