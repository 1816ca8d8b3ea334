package io.vlitforge.shared.events;

/**
 * One filter's decision on one sample. {@code reason} is a stable machine-readable code
 * (e.g. {@code format.image_token_count}); {@code detail} says what exactly was wrong.
 */
public record Verdict(String filter, String version, double score, double threshold, Outcome outcome,
        String reason, String detail) {

    public enum Outcome {
        ACCEPTED,
        REJECTED
    }
}
