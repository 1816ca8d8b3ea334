package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Quotas for balance, the pure half: the most samples accepted per task and per source data set, so that
 * one prolific task or source cannot crowd out the rest of a release. The counts live in PostgreSQL
 * ({@code QuotaCounter}) because every replica must count against the same number; this class holds the
 * limits, names a sample's keys and turns a decision into a verdict. Only samples that passed every other
 * filter are counted.
 */
public final class QuotaFilter {

    public static final String NAME = "quota";
    public static final String VERSION = "1";
    public static final String TASK = "task";
    public static final String SOURCE = "source";
    public static final String UNKNOWN_SOURCE = "unknown";

    private final Map<String, Long> tasks;
    private final Map<String, Long> sources;

    public QuotaFilter(Map<String, Long> tasks, Map<String, Long> sources) {
        if (tasks.values().stream().anyMatch(l -> l < 0) || sources.values().stream().anyMatch(l -> l < 0)) {
            throw new IllegalArgumentException("quotas must be >= 0");
        }
        this.tasks = Map.copyOf(tasks);
        this.sources = Map.copyOf(sources);
    }

    public Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("tasks", new TreeMap<>(tasks));
        parameters.put("sources", new TreeMap<>(sources));
        return parameters;
    }

    public boolean any() {
        return !tasks.isEmpty() || !sources.isEmpty();
    }

    /** The source data set a sample is counted under. */
    public static String sourceOf(Sample sample) {
        return sample.lineage() != null && sample.lineage().source() != null
                && sample.lineage().source().dataset() != null ? sample.lineage().source().dataset() : UNKNOWN_SOURCE;
    }

    /** The limit of a key, or null when it has none. */
    public Long limit(String dimension, String key) {
        return (TASK.equals(dimension) ? tasks : sources).get(key);
    }

    /** A sample that was not counted (rejected earlier, or no quota applies to it). */
    public Verdict notCounted() {
        return new Verdict(NAME, VERSION, 0.0, 0.0, Verdict.Outcome.ACCEPTED, null, null);
    }

    /** A sample counted as number {@code position} of its tightest quota {@code limit}. */
    public Verdict counted(long position, long limit) {
        return new Verdict(NAME, VERSION, position, limit, Verdict.Outcome.ACCEPTED, null, null);
    }

    public Verdict full(String dimension, String key, long limit) {
        return new Verdict(NAME, VERSION, limit, limit, Verdict.Outcome.REJECTED, "quota." + dimension + "_full",
                dimension + " '" + key + "' has reached its quota of " + limit + " accepted samples");
    }
}
