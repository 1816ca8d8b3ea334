package io.vlitforge.generation.tasks;

import java.util.List;
import java.util.Map;

/**
 * One task of the library as its YAML file defines it: a name, a category, the kind of rule that answers it
 * from the annotations, the kind's parameters, and the instruction templates. Templates use {@code {slot}}
 * placeholders that the kind fills (e.g. {@code {object}}, {@code {question}}, {@code {box}}).
 */
public record TaskSpec(String name, String category, String kind, String description, Map<String, String> params,
        List<String> templates, String file) {

    public TaskSpec {
        params = params == null ? Map.of() : Map.copyOf(params);
        templates = templates == null ? List.of() : List.copyOf(templates);
    }

    public String param(String key, String fallback) {
        String value = params.get(key);
        return value == null || value.isBlank() ? fallback : value;
    }

    public int intParam(String key, int fallback) {
        String value = params.get(key);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    /** The text every hash of the task covers: name, category, kind, parameters and templates. */
    public String definition() {
        StringBuilder text = new StringBuilder(name).append('\n').append(category).append('\n').append(kind);
        new java.util.TreeMap<>(params).forEach((k, v) -> text.append('\n').append(k).append('=').append(v));
        templates.forEach(t -> text.append('\n').append(t));
        return text.toString();
    }
}
