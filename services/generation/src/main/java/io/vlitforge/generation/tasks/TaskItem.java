package io.vlitforge.generation.tasks;

import java.util.Map;

/**
 * One question a task can ask of one image, with its answer taken from the annotations. {@code key} names
 * what the item is about (a question id, a category, a box) so that it is stable across runs; it is part of
 * the sample id. {@code slots} fill the template's placeholders.
 */
public record TaskItem(String key, Map<String, String> slots, String answer) {

    public TaskItem {
        slots = slots == null ? Map.of() : Map.copyOf(slots);
    }

    public static TaskItem of(String key, String answer, String... slotPairs) {
        java.util.Map<String, String> slots = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < slotPairs.length; i += 2) {
            slots.put(slotPairs[i], slotPairs[i + 1]);
        }
        return new TaskItem(key, slots, answer);
    }
}
