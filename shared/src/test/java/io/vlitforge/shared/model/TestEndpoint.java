package io.vlitforge.shared.model;

import java.time.Duration;
import java.util.Optional;

/** A model endpoint configuration for tests that build a {@link ChatClient} without Quarkus. */
public record TestEndpoint(String baseUrl, String model, Optional<String> apiKey, double temperature, int maxTokens,
        double pricePer1kPromptTokens, double pricePer1kCompletionTokens, int maxInFlight, int requestsPerMinute,
        int tokensPerMinute, Duration timeout, int maxRetries, Duration initialBackoff, Duration maxBackoff,
        int breakerFailureThreshold, Duration breakerOpenFor) implements ModelEndpoint {

    public static TestEndpoint of(String baseUrl, int maxInFlight) {
        return new TestEndpoint(baseUrl, "test-model", Optional.of("sk-test-secret"), 0.2, 256, 0.5, 1.5, maxInFlight,
                100_000, 100_000_000, Duration.ofSeconds(1), 6, Duration.ofMillis(20), Duration.ofMillis(400), 5,
                Duration.ofMillis(300));
    }

    /** A longer timeout for tests that count requests: a slow reply on a busy machine would add a retry. */
    public TestEndpoint withTimeout(Duration timeout) {
        return new TestEndpoint(baseUrl, model, apiKey, temperature, maxTokens, pricePer1kPromptTokens,
                pricePer1kCompletionTokens, maxInFlight, requestsPerMinute, tokensPerMinute, timeout, maxRetries,
                initialBackoff, maxBackoff, breakerFailureThreshold, breakerOpenFor);
    }

    public TestEndpoint withRetries(int retries) {
        return new TestEndpoint(baseUrl, model, apiKey, temperature, maxTokens, pricePer1kPromptTokens,
                pricePer1kCompletionTokens, maxInFlight, requestsPerMinute, tokensPerMinute, timeout, retries,
                initialBackoff, maxBackoff, breakerFailureThreshold, breakerOpenFor);
    }

    public TestEndpoint withRequestsPerMinute(int rpm) {
        return new TestEndpoint(baseUrl, model, apiKey, temperature, maxTokens, pricePer1kPromptTokens,
                pricePer1kCompletionTokens, maxInFlight, rpm, tokensPerMinute, timeout, maxRetries, initialBackoff,
                maxBackoff, breakerFailureThreshold, breakerOpenFor);
    }

    public TestEndpoint withBreaker(int threshold, Duration openFor) {
        return new TestEndpoint(baseUrl, model, apiKey, temperature, maxTokens, pricePer1kPromptTokens,
                pricePer1kCompletionTokens, maxInFlight, requestsPerMinute, tokensPerMinute, timeout, maxRetries,
                initialBackoff, maxBackoff, threshold, openFor);
    }
}
