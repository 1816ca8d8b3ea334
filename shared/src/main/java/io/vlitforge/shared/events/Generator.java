package io.vlitforge.shared.events;

import java.util.Map;

/**
 * What produced a sample's text: {@code kind} is "template" for annotation adaption or "llm"/"vlm" for
 * model calls; {@code model} and {@code promptHash} are empty for templates.
 */
public record Generator(String kind, String model, String promptHash, Map<String, String> params) {

    public Generator {
        params = params == null ? Map.of() : Map.copyOf(params);
    }
}
