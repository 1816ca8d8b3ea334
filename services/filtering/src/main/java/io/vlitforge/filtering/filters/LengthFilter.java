package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answer length bounds per task. A brief caption of three characters or a "detailed description" of one
 * sentence teaches the wrong thing, and a runaway answer wastes context; what is too short for one task
 * is right for another, so the bounds are looked up by task name with a default for the rest. Lengths
 * are in characters of the stripped answer; every gpt turn must fit.
 */
public final class LengthFilter implements SampleFilter {

    public static final String NAME = "length";
    public static final String VERSION = "1";

    /** Inclusive character bounds of one answer. */
    public record Bounds(int min, int max) {

        public Bounds {
            if (min < 0 || max < min) {
                throw new IllegalArgumentException("length bounds need 0 <= min <= max, got " + min + ".." + max);
            }
        }
    }

    private final Bounds defaults;
    private final Map<String, Bounds> tasks;

    public LengthFilter(Bounds defaults, Map<String, Bounds> tasks) {
        this.defaults = defaults;
        this.tasks = Map.copyOf(tasks);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("default", defaults);
        parameters.put("tasks", new TreeMap<>(tasks));
        return parameters;
    }

    public Bounds boundsOf(String task) {
        return task == null ? defaults : tasks.getOrDefault(task, defaults);
    }

    @Override
    public Verdict check(Sample sample) {
        Bounds bounds = boundsOf(sample.task());
        int longest = 0;
        for (Answer answer : SampleFilter.answers(sample)) {
            int length = answer.text().strip().length();
            if (length < bounds.min()) {
                return reject(length, bounds.min(), "format.answer_too_short", "the answer in turn " + answer.turn()
                        + " has " + length + " characters, a " + sample.task() + " answer needs at least "
                        + bounds.min() + ": \"" + answer.text().strip() + "\"");
            }
            if (length > bounds.max()) {
                return reject(length, bounds.max(), "format.answer_too_long", "the answer in turn " + answer.turn()
                        + " has " + length + " characters, a " + sample.task() + " answer may have at most "
                        + bounds.max() + ": \"" + Quotes.head(answer.text()) + "\"");
            }
            longest = Math.max(longest, length);
        }
        return accept(longest, bounds.max());
    }
}
