package io.vlitforge.publication.service;

import io.vlitforge.publication.formats.ReleaseJson;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which accepted samples a release holds and how they are mixed, as data: the source data sets, tasks and
 * strategies to take, minimum filter scores, per-source weights (the share of a source's samples kept, as
 * LLaVA-1.5 sampled its 665k mix), per-task caps, and whether the samples of one image are merged into one
 * multi-turn conversation (LLaVA-1.5 merged each image's VQA pairs that way, {@code <image>} once, in the first
 * human turn). Every choice is a pure function of the recipe and the sample ids (a keyed hash decides what a
 * weight or cap keeps), so the same accepted set and recipe always give the same release.
 *
 * <p>Empty lists and maps mean "no restriction". The recipe and its hash are recorded in the manifest.
 */
public record ReleaseRecipe(List<String> sources, List<String> tasks, List<String> strategies,
        Map<String, Double> minScores, Map<String, Double> sourceWeights, Map<String, Long> taskCaps,
        boolean mergePerImage, Integer mergeMaxTurns, long seed) {

    /** The task merged conversations are released under. */
    public static final String MERGED_TASK = "merged_conversation";

    public ReleaseRecipe {
        sources = sources == null ? List.of() : List.copyOf(sources);
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        strategies = strategies == null ? List.of() : List.copyOf(strategies);
        minScores = minScores == null ? Map.of() : new TreeMap<>(minScores);
        sourceWeights = sourceWeights == null ? Map.of() : new TreeMap<>(sourceWeights);
        taskCaps = taskCaps == null ? Map.of() : new TreeMap<>(taskCaps);
    }

    /**
     * @throws IllegalArgumentException naming the first setting that cannot be met (a weight outside 0..1, a
     *         negative cap, a turn limit below one exchange)
     */
    public ReleaseRecipe validated() {
        for (Map.Entry<String, Double> w : sourceWeights.entrySet()) {
            if (w.getValue() == null || !(w.getValue() >= 0 && w.getValue() <= 1)) {
                throw new IllegalArgumentException("sourceWeights." + w.getKey() + " must be between 0 and 1 (the "
                        + "share of that source's samples kept), got " + w.getValue());
            }
        }
        for (Map.Entry<String, Long> c : taskCaps.entrySet()) {
            if (c.getValue() == null || c.getValue() < 0) {
                throw new IllegalArgumentException("taskCaps." + c.getKey() + " must be 0 or more, got " + c.getValue());
            }
        }
        if (mergeMaxTurns != null && mergeMaxTurns < 2) {
            throw new IllegalArgumentException("mergeMaxTurns must be at least 2, got " + mergeMaxTurns);
        }
        return this;
    }

    /** Everything: no restriction, no mixing, no merging. */
    public static ReleaseRecipe all() {
        return new ReleaseRecipe(null, null, null, null, null, null, false, null, 0);
    }

    /** Only the given source data sets (null or empty: all). */
    public static ReleaseRecipe ofSources(List<String> sources) {
        return new ReleaseRecipe(sources, null, null, null, null, null, false, null, 0);
    }

    /** The recipe as canonical JSON (sorted maps), and its sha256: what the manifest records. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("sources", sources);
        d.put("tasks", tasks);
        d.put("strategies", strategies);
        d.put("minScores", minScores);
        d.put("sourceWeights", sourceWeights);
        d.put("taskCaps", taskCaps);
        d.put("mergePerImage", mergePerImage);
        if (mergeMaxTurns != null) {
            d.put("mergeMaxTurns", mergeMaxTurns);
        }
        d.put("seed", seed);
        return d;
    }

    public String hash() {
        return Ids.sha256Hex(ReleaseJson.compact(describe()));
    }

    /**
     * The release's samples: filtered, weighted, capped and (if asked) merged per image. {@code verdicts} by
     * sample id; a sample without a verdict for a filter named in {@code minScores} is left out.
     */
    public List<Sample> select(List<Sample> accepted, Map<String, List<Verdict>> verdicts) {
        List<Sample> kept = new ArrayList<>();
        for (Sample s : accepted) {
            if (matches(s, verdicts.getOrDefault(s.id(), List.of())) && keptByWeight(s)) {
                kept.add(s);
            }
        }
        if (!taskCaps.isEmpty()) {
            kept = capped(kept);
        }
        return mergePerImage ? merged(kept) : kept;
    }

    private boolean matches(Sample s, List<Verdict> sampleVerdicts) {
        // Immutable lists and sorted maps refuse null lookups: a sample without a source, task or strategy
        // simply does not match a recipe that names some.
        if (!sources.isEmpty() && (source(s) == null || !sources.contains(source(s)))) {
            return false;
        }
        if (!tasks.isEmpty() && (s.task() == null || !tasks.contains(s.task()))) {
            return false;
        }
        if (!strategies.isEmpty() && (strategy(s) == null || !strategies.contains(strategy(s)))) {
            return false;
        }
        for (Map.Entry<String, Double> min : minScores.entrySet()) {
            boolean passes = sampleVerdicts.stream()
                    .anyMatch(v -> v.filter().equals(min.getKey()) && v.score() >= min.getValue());
            if (!passes) {
                return false;
            }
        }
        return true;
    }

    private boolean keptByWeight(Sample s) {
        Double weight = source(s) == null ? null : sourceWeights.get(source(s));
        return weight == null || draw(s.id()) < weight;
    }

    /** Per task, the {@code cap} samples that come first in the recipe's keyed order. */
    private List<Sample> capped(List<Sample> samples) {
        Map<String, List<Sample>> byTask = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        for (Sample s : samples) {
            byTask.computeIfAbsent(s.task(), k -> new ArrayList<>()).add(s);
        }
        List<Sample> kept = new ArrayList<>();
        for (Map.Entry<String, List<Sample>> task : byTask.entrySet()) {
            Long cap = task.getKey() == null ? null : taskCaps.get(task.getKey());
            List<Sample> ofTask = task.getValue();
            if (cap != null && ofTask.size() > cap) {
                ofTask = new ArrayList<>(ofTask);
                ofTask.sort(Comparator.comparingDouble((Sample s) -> draw(s.id())).thenComparing(Sample::id));
                ofTask = ofTask.subList(0, (int) (long) cap);
            }
            kept.addAll(ofTask);
        }
        kept.sort(Comparator.comparing(Sample::id));
        return kept;
    }

    /**
     * One conversation per image (and per {@code mergeMaxTurns} turns at most): the samples' turns in
     * sample-id order, the {@code <image>} token kept only at the start of the first human turn.
     */
    private List<Sample> merged(List<Sample> samples) {
        Map<String, List<Sample>> byImage = new TreeMap<>();
        for (Sample s : samples) {
            byImage.computeIfAbsent(s.imageId(), k -> new ArrayList<>()).add(s);
        }
        List<Sample> out = new ArrayList<>();
        for (List<Sample> ofImage : byImage.values()) {
            ofImage.sort(Comparator.comparing(Sample::id));
            List<Sample> group = new ArrayList<>();
            int turns = 0;
            for (Sample s : ofImage) {
                if (!group.isEmpty() && mergeMaxTurns != null && turns + s.conversations().size() > mergeMaxTurns) {
                    out.add(mergeOne(group));
                    group = new ArrayList<>();
                    turns = 0;
                }
                group.add(s);
                turns += s.conversations().size();
            }
            out.add(mergeOne(group));
        }
        out.sort(Comparator.comparing(Sample::id));
        return out;
    }

    private Sample mergeOne(List<Sample> group) {
        if (group.size() == 1) {
            return group.get(0);
        }
        List<Turn> turns = new ArrayList<>();
        StringBuilder ids = new StringBuilder();
        for (Sample s : group) {
            ids.append(s.id()).append(',');
            for (Turn t : s.conversations()) {
                String value = t.value().replace(Turn.IMAGE_TOKEN + "\n", "").replace(Turn.IMAGE_TOKEN, "").strip();
                turns.add(new Turn(t.from(), turns.isEmpty() ? Turn.IMAGE_TOKEN + "\n" + value : value));
            }
        }
        Sample first = group.get(0);
        String id = Ids.sha256Hex("merged:" + ids).substring(0, 32);
        Lineage lineage = first.lineage() == null ? null : first.lineage().withStep(new LineageStep("publication",
                "merge/" + group.size() + "-samples", "1", "recipe"));
        return new Sample(first.schemaVersion(), id, first.imageId(), first.imageKey(), turns, MERGED_TASK,
                first.category(), first.licence(), lineage, first.usage(), first.createdAt(), first.groundTruth());
    }

    /** A number in [0, 1) fixed by the recipe's seed and the sample id. */
    private double draw(String sampleId) {
        return (Ids.seedOf("release-recipe", Long.toString(seed), sampleId) >>> 7) / (double) (1L << 56);
    }

    static String source(Sample s) {
        return s.lineage() == null || s.lineage().source() == null ? null : s.lineage().source().dataset();
    }

    static String strategy(Sample s) {
        return s.lineage() == null || s.lineage().strategy() == null ? null : s.lineage().strategy().name();
    }
}
