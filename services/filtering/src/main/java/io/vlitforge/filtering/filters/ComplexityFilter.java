package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How much a sample asks of a model, so that a task meant to teach reasoning is not filled with one-line
 * lookups: LLaVA's complex-reasoning answers explain why, name several objects and run to a paragraph, while
 * "It is red." teaches perception only. The score is the mean of five parts, each scaled to 0..1 and capped:
 * question-answer turns, answer words, reasoning markers ("because", "suggests", ...), distinct objects
 * referenced (asserted mentions, as the hallucination filter finds them) and the question type (perception
 * 0.25, description 0.5, reasoning 1). A task's minimum comes from config; a task without one passes, so
 * a brief caption is never held to a reasoning task's bar.
 */
public final class ComplexityFilter implements SampleFilter {

    public static final String NAME = "complexity";
    public static final String VERSION = "1";
    public static final String TOO_SIMPLE = "complexity.too_simple";

    /** The caps at which each part reaches 1. */
    public record Caps(int turns, int answerWords, int reasoningMarkers, int objects) {

        public Caps {
            if (turns < 1 || answerWords < 1 || reasoningMarkers < 1 || objects < 1) {
                throw new IllegalArgumentException("complexity caps must be >= 1");
            }
        }
    }

    /** The parts of one sample's score, kept for the detail. */
    public record Parts(int turns, int answerWords, int reasoningMarkers, int objects, String questionType,
            double score) {
    }

    private static final Pattern REASONING_QUESTION = Pattern.compile("\\b(why|how (might|could|would|can|does|do|"
            + "is|are)|what (might|could|would|can be inferred|is unusual|challenges|are the (possible|potential))|"
            + "explain|reason|purpose|suggest|infer|predict|what if|should)\\b");
    private static final Pattern DESCRIPTION_QUESTION = Pattern.compile("\\b(describe|description|detail|"
            + "what is happening|what do you see|tell me about|narrate|summari[sz]e)\\b");

    private final ObjectMentions mentions;
    private final Caps caps;
    private final List<String> markers;
    private final Pattern marker;
    /**
     * The markers lower-cased, when they are all ASCII: the marker pattern folds ASCII case only, so it can only
     * match an answer whose lower-cased text contains one of them, and most answers contain none. Null when a
     * marker is not ASCII (then the pattern always runs).
     */
    private final List<String> lowerMarkers;
    private final double defaultMinimum;
    private final Map<String, Double> minimums;

    public ObjectMentions mentions() {
        return mentions;
    }

    public ComplexityFilter(ObjectMentions mentions, Caps caps, List<String> reasoningMarkers, double defaultMinimum,
            Map<String, Double> minimums) {
        if (defaultMinimum < 0 || defaultMinimum > 1 || minimums.values().stream().anyMatch(m -> m < 0 || m > 1)) {
            throw new IllegalArgumentException("complexity minimums must be in [0, 1]");
        }
        this.mentions = mentions;
        this.caps = caps;
        this.markers = List.copyOf(reasoningMarkers);
        this.marker = Pattern.compile("(?<![\\p{L}])(?:" + markers.stream().map(String::strip)
                .filter(m -> !m.isEmpty()).map(Pattern::quote).collect(Collectors.joining("|")) + ")(?![\\p{L}])",
                Pattern.CASE_INSENSITIVE);
        List<String> lower = markers.stream().map(String::strip).filter(m -> !m.isEmpty())
                .map(m -> m.toLowerCase(Locale.ROOT)).toList();
        this.lowerMarkers = lower.stream().allMatch(m -> m.chars().allMatch(c -> c < 128)) ? lower : null;
        this.defaultMinimum = defaultMinimum;
        this.minimums = Map.copyOf(minimums);
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
        parameters.put("caps", caps);
        parameters.put("reasoningMarkers", markers);
        parameters.put("defaultMinScore", defaultMinimum);
        parameters.put("minScore", new TreeMap<>(minimums));
        return parameters;
    }

    public double minimumOf(String task) {
        return task == null ? defaultMinimum : minimums.getOrDefault(task, defaultMinimum);
    }

    /** The score and its parts. */
    public Parts parts(Sample sample) {
        int turns = 0;
        int words = 0;
        int reasoning = 0;
        Set<String> objects = new TreeSet<>();
        String type = "perception";
        for (Turn turn : sample.conversations()) {
            if (turn.value() == null) {
                continue;
            }
            if (Turn.HUMAN.equals(turn.from())) {
                turns++;
                String q = turn.value().toLowerCase(Locale.ROOT);
                if (REASONING_QUESTION.matcher(q).find()) {
                    type = "reasoning";
                } else if (DESCRIPTION_QUESTION.matcher(q).find() && !type.equals("reasoning")) {
                    type = "description";
                }
            } else {
                words += Words.count(turn.value());
                if (mayHaveMarker(turn.value())) {
                    Matcher m = marker.matcher(turn.value());
                    while (m.find()) {
                        reasoning++;
                    }
                }
                mentions.find(turn.value()).stream().filter(x -> x.kind() == ObjectMentions.Kind.ASSERTED)
                        .forEach(x -> objects.add(x.canonical()));
            }
        }
        double typeScore = switch (type) {
            case "reasoning" -> 1.0;
            case "description" -> 0.5;
            default -> 0.25;
        };
        double score = (part(turns, caps.turns()) + part(words, caps.answerWords())
                + part(reasoning, caps.reasoningMarkers()) + part(objects.size(), caps.objects()) + typeScore) / 5;
        return new Parts(turns, words, reasoning, objects.size(), type, Math.round(score * 1000) / 1000.0);
    }

    private boolean mayHaveMarker(String answer) {
        if (lowerMarkers == null) {
            return true;
        }
        String lower = answer.toLowerCase(Locale.ROOT);
        for (String m : lowerMarkers) {
            if (lower.contains(m)) {
                return true;
            }
        }
        return false;
    }

    private static double part(int value, int cap) {
        return Math.min(value, cap) / (double) cap;
    }

    @Override
    public Verdict check(Sample sample) {
        double minimum = minimumOf(sample.task());
        Parts parts = parts(sample);
        if (parts.score() >= minimum) {
            return accept(parts.score(), minimum);
        }
        return reject(parts.score(), minimum, TOO_SIMPLE, String.format(Locale.ROOT,
                "complexity %.3f < %.3f for %s: %d turns, %d answer words, %d reasoning markers, %d distinct "
                        + "objects, %s question", parts.score(), minimum, sample.task(), parts.turns(),
                parts.answerWords(), parts.reasoningMarkers(), parts.objects(), parts.questionType()));
    }
}
