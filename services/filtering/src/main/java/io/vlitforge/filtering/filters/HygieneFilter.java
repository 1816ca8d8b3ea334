package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a generated answer must never contain, whatever the task: a refusal or apology (the model
 * declined, so the sample teaches declining), a leak of how it was made (the model saw captions,
 * annotations and boxes, but the trained assistant only sees pixels, so "according to the caption"
 * teaches it to cite a source it will never have), raw coordinate lists in free text, and degenerate
 * repetition (a decoding loop). Only gpt turns are checked: a human turn may well ask about a box.
 * Phrases match whole words, case-insensitively, with curly apostrophes read as straight ones.
 */
public final class HygieneFilter implements SampleFilter {

    public static final String NAME = "hygiene";
    public static final String VERSION = "1";

    /** Four numbers in brackets or parentheses: an {@code [x1, y1, x2, y2]} or {@code [x, y, w, h]} box. */
    private static final Pattern COORDINATES = Pattern.compile(
            "[\\[(]\\s*-?\\d+(?:\\.\\d+)?(?:\\s*,\\s*-?\\d+(?:\\.\\d+)?){3}\\s*[\\])]");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

    private final List<String> refusalPhrases;
    private final List<String> leakPhrases;
    private final Set<String> coordinateTasks;
    private final int maxPeriod;
    private final int minRepeats;
    private final int minWordRepeats;
    private final Pattern refusal;
    private final Pattern leak;

    public HygieneFilter(List<String> refusalPhrases, List<String> leakPhrases, Set<String> coordinateTasks,
            int maxPeriod, int minRepeats, int minWordRepeats) {
        if (maxPeriod < 1 || minRepeats < 2 || minWordRepeats < 2) {
            throw new IllegalArgumentException("repetition needs max-period >= 1 and repeats >= 2");
        }
        this.refusalPhrases = List.copyOf(refusalPhrases);
        this.leakPhrases = List.copyOf(leakPhrases);
        this.coordinateTasks = Set.copyOf(coordinateTasks);
        this.maxPeriod = maxPeriod;
        this.minRepeats = minRepeats;
        this.minWordRepeats = minWordRepeats;
        this.refusal = phrases(refusalPhrases);
        this.leak = phrases(leakPhrases);
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
        parameters.put("refusalPhrases", refusalPhrases);
        parameters.put("leakPhrases", leakPhrases);
        parameters.put("coordinateTasks", new TreeSet<>(coordinateTasks));
        parameters.put("repetitionMaxPeriod", maxPeriod);
        parameters.put("repetitionMinRepeats", minRepeats);
        parameters.put("repetitionMinWordRepeats", minWordRepeats);
        return parameters;
    }

    @Override
    public Verdict check(Sample sample) {
        boolean coordinatesAllowed = coordinateTasks.contains(sample.task());
        for (Answer answer : SampleFilter.answers(sample)) {
            String text = answer.text().replace('\u2019', '\'');
            Matcher m = refusal.matcher(text);
            if (m.find()) {
                return reject(1.0, 0.0, "hygiene.refusal", quote("a refusal", m, text, answer));
            }
            m = leak.matcher(text);
            if (m.find()) {
                return reject(1.0, 0.0, "hygiene.source_leak", quote("a source leak", m, text, answer));
            }
            m = COORDINATES.matcher(text);
            if (!coordinatesAllowed && m.find()) {
                return reject(1.0, 0.0, "hygiene.source_leak",
                        quote("raw coordinates in a free-text answer", m, text, answer));
            }
            Verdict repetition = repetition(text, answer.turn());
            if (repetition != null) {
                return repetition;
            }
        }
        return accept(0.0, 0.0);
    }

    /**
     * Back-to-back copies of the same phrase, for every phrase length up to {@code maxPeriod}. Repeated
     * words far apart are not looked at: a long answer about skiing names "cross-country skiing" many
     * times and is fine, while a decoding loop repeats itself in place.
     */
    private Verdict repetition(String text, int turn) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            words.add(m.group());
        }
        for (int period = 1; period <= maxPeriod && period < words.size(); period++) {
            int needed = period == 1 ? minWordRepeats : minRepeats;
            int run = 0;
            for (int i = 0; i + period < words.size(); i++) {
                run = words.get(i).equals(words.get(i + period)) ? run + 1 : 0;
                int copies = run / period + 1;
                if (copies >= needed) {
                    int start = i - run + 1;
                    String phrase = String.join(" ", words.subList(start, start + period));
                    return reject(copies, needed, "hygiene.repetition", "\"" + phrase + "\" (" + period
                            + (period == 1 ? " word" : " words") + ") repeats " + copies
                            + " times in a row in the answer in turn " + turn);
                }
            }
        }
        return null;
    }

    private static String quote(String what, Matcher m, String text, Answer answer) {
        return what + " \"" + m.group() + "\" in the answer in turn " + answer.turn() + ": \""
                + Quotes.around(text, m.start(), m.end()) + "\"";
    }

    /** One alternation of whole-word phrases; a plural ending is allowed so "bounding box" covers "boxes". */
    private static Pattern phrases(List<String> phrases) {
        if (phrases.isEmpty()) {
            return Pattern.compile("(?!)");
        }
        String alternation = phrases.stream().map(p -> p.strip().replace('\u2019', '\''))
                .filter(p -> !p.isEmpty()).map(Pattern::quote).collect(Collectors.joining("|"));
        return Pattern.compile("(?<![\\p{L}\\p{N}])(?:" + alternation + ")(?:e?s)?(?![\\p{L}\\p{N}])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }
}
