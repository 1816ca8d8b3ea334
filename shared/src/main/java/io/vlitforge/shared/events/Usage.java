package io.vlitforge.shared.events;

/** What a model call cost; all zero for template-made samples. */
public record Usage(long promptTokens, long completionTokens, long latencyMs, double costUsd) {

    public static final Usage NONE = new Usage(0, 0, 0, 0.0);
}
