package io.vlitforge.filtering.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.vlitforge.shared.testing.OpenAiStubServer;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The filtering service with the model judge switched on and pointed at a local OpenAI-protocol server that
 * answers like a judge model, with few retries and short backoffs so that an endpoint failure is felt quickly,
 * on topics of its own.
 */
public class JudgeProfile implements QuarkusTestProfile {

    static final String MODEL = "judge-stub";
    static final String KEY = "sk-judge-secret-0123456789";
    /** Answers the stub scores low: correct but vague. */
    static final String VAGUE = "There is a horse in this picture.";
    /** Answers the stub replies to without a score. */
    static final String KITE = "A man flying a red kite on a windy beach.";

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>();
        config.put("vlit.topic-prefix", System.getenv().getOrDefault("VLIT_RUN_ID", "dev") + ".filtering-judge-test.");
        String p = "vlit.filters.judge.";
        config.put(p + "enabled", "true");
        config.put(p + "threshold", "6");
        config.put(p + "endpoint.model", MODEL);
        config.put(p + "endpoint.api-key", KEY);
        // Long enough that a slow reply on a busy machine is not retried: the test counts requests.
        config.put(p + "endpoint.timeout", "30s");
        config.put(p + "endpoint.max-retries", "2");
        config.put(p + "endpoint.initial-backoff", "20ms");
        config.put(p + "endpoint.max-backoff", "200ms");
        config.put(p + "endpoint.breaker-open-for", "300ms");
        config.put(p + "endpoint.price-per1k-prompt-tokens", "0.5");
        config.put(p + "endpoint.price-per1k-completion-tokens", "1.5");
        return config;
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(StubJudge.class));
    }

    /** What a judge model answers for the test's samples, in the format the v1 prompt asks for. */
    static String reply(JsonNode request) {
        String user = request.at("/messages/1/content").asText();
        if (user.contains(VAGUE)) {
            return "{\"score\": 3, \"reason\": \"Too vague: it omits the rider and the beach that every caption "
                    + "mentions.\"}";
        }
        if (user.contains(KITE)) {
            return "The caption is accurate and concise.";
        }
        return "{\"score\": 9, \"reason\": \"Accurate and specific: the rider, the horse and the beach are all in "
                + "the captions.\"}";
    }

    /** Starts the stub judge before the application and points the judge at it. */
    public static class StubJudge implements QuarkusTestResourceLifecycleManager {

        static volatile OpenAiStubServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = new OpenAiStubServer().responder(JudgeProfile::reply);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("vlit.filters.judge.endpoint.base-url", server.baseUrl());
        }

        @Override
        public void stop() {
            if (server != null) {
                server.close();
            }
        }
    }

    /** The same service and stub with the judge left at its default (off). */
    public static class Off implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vlit.topic-prefix", System.getenv().getOrDefault("VLIT_RUN_ID", "dev")
                    + ".filtering-judge-off-test.", "vlit.filters.judge.endpoint.model", MODEL);
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StubJudge.class));
        }
    }
}
