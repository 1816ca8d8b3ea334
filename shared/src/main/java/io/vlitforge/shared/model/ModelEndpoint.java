package io.vlitforge.shared.model;

import java.time.Duration;
import java.util.Optional;

/**
 * One OpenAI-compatible chat-completions endpoint and how to use it politely, as {@link ChatClient} needs
 * it. It is a plain interface so that each service's own {@code @ConfigMapping} can extend it with that
 * service's prefix and defaults (generation per self-instruct step, filtering for the judge). The API key
 * is read from a secret (environment variable) and never logged.
 */
public interface ModelEndpoint {

    /** Base URL up to and including {@code /v1}; the client appends {@code /chat/completions}. */
    String baseUrl();

    String model();

    Optional<String> apiKey();

    double temperature();

    int maxTokens();

    /** USD per 1000 prompt tokens. */
    double pricePer1kPromptTokens();

    /** USD per 1000 completion tokens. */
    double pricePer1kCompletionTokens();

    /** Requests on the wire at once; more wait for a permit. */
    int maxInFlight();

    int requestsPerMinute();

    int tokensPerMinute();

    /** A request with no complete reply after this long is abandoned and retried. */
    Duration timeout();

    /** Retries after the first attempt on 429, 5xx, timeouts and malformed bodies. */
    int maxRetries();

    Duration initialBackoff();

    Duration maxBackoff();

    /** Consecutive failed attempts that open the circuit breaker. */
    int breakerFailureThreshold();

    /** How long an open breaker holds every request back before one trial request. */
    Duration breakerOpenFor();
}
