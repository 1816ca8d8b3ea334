package io.vlitforge.shared.model;

/**
 * A model's answer and what it cost: tokens as the endpoint counted them, the wall-clock latency of the
 * successful attempt, the retries before it, and the price from the step's configuration. A cached
 * answer costs nothing the second time and says so.
 */
public record ChatResult(String model, String content, String finishReason, long promptTokens,
        long completionTokens, long latencyMs, int retries, double costUsd, boolean cached) {

    /** The same answer served from the response cache: no tokens bought, no latency paid. */
    public ChatResult fromCache() {
        return new ChatResult(model, content, finishReason, promptTokens, completionTokens, 0, 0, 0.0, true);
    }
}
