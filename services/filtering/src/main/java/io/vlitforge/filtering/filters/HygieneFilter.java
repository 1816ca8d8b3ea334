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
    public static final String VERSION = "2";

    /** Four numbers in brackets or parentheses: an {@code [x1, y1, x2, y2]} or {@code [x, y, w, h]} box. */
    private static final Pattern COORDINATES = Pattern.compile(
            "[\\[(]\\s*-?\\d+(?:\\.\\d+)?(?:\\s*,\\s*-?\\d+(?:\\.\\d+)?){3}\\s*[\\])]");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    /**
     * The commonest English function words. An English answer of a dozen words or more always uses some
     * (LLaVA's seed answers: 30-50% of their words); an answer in another language written in Latin letters
     * uses almost none. A list of object names with numbers has few words and is not judged.
     */
    private static final Set<String> ENGLISH = Set.of("the", "a", "an", "is", "are", "was", "were", "be", "of",
            "in", "on", "at", "to", "and", "or", "with", "for", "it", "its", "this", "that", "there", "these",
            "those", "they", "he", "she", "his", "her", "their", "as", "by", "from", "can", "which", "who",
            "what", "while", "has", "have", "not", "no", "some", "one", "two", "image", "appears", "seems");
    /** Below this share of English function words, a long enough answer is taken for another language. */
    private static final double MIN_ENGLISH_SHARE = 0.08;
    private static final int MIN_WORDS_FOR_LANGUAGE = 12;

    private final List<String> refusalPhrases;
    private final List<String> leakPhrases;
    private final Set<String> coordinateTasks;
    private final int maxPeriod;
    private final int minRepeats;
    private final int minWordRepeats;
    private final Pattern refusal;
    private final Pattern leak;
    /** The phrases case-folded for {@link #mayMatch}, or null when that shortcut would not be exact. */
    private final List<String> foldedRefusals;
    private final List<String> foldedLeaks;

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
        this.foldedRefusals = folded(refusalPhrases);
        this.foldedLeaks = folded(leakPhrases);
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
            String foldedText = foldedRefusals == null || foldedLeaks == null ? null : fold(text);
            Matcher m = refusal.matcher(text);
            if (mayMatch(foldedText, foldedRefusals) && m.find()) {
                return reject(1.0, 0.0, "hygiene.refusal", quote("a refusal", m, text, answer));
            }
            m = leak.matcher(text);
            if (mayMatch(foldedText, foldedLeaks) && m.find()) {
                return reject(1.0, 0.0, "hygiene.source_leak", quote("a source leak", m, text, answer));
            }
            m = COORDINATES.matcher(text);
            if (!coordinatesAllowed && m.find()) {
                return reject(1.0, 0.0, "hygiene.source_leak",
                        quote("raw coordinates in a free-text answer", m, text, answer));
            }
            if (coordinatesAllowed) {
                Verdict box = invalidBox(text, answer);
                if (box != null) {
                    return box;
                }
            }
            // Both checks read the same words: the answer is split once.
            List<String> words = Words.of(text.toLowerCase(Locale.ROOT));
            Verdict language = language(words, answer.turn());
            if (language != null) {
                return language;
            }
            Verdict repetition = repetition(words, answer.turn());
            if (repetition != null) {
                return repetition;
            }
        }
        return accept(0.0, 0.0);
    }

    /**
     * A grounding answer's boxes must be boxes: corners in order ({@code x1 < x2}, {@code y1 < y2}), nothing
     * negative, and normalised ones (any number a fraction between 0 and 1) inside the unit square.
     */
    private Verdict invalidBox(String text, Answer answer) {
        Matcher m = COORDINATES.matcher(text);
        while (m.find()) {
            List<Double> v = new ArrayList<>();
            Matcher n = NUMBER.matcher(m.group());
            while (n.find()) {
                v.add(Double.parseDouble(n.group()));
            }
            // A fraction strictly between 0 and 1 only appears in normalised boxes, never in pixel ones.
            boolean normalised = v.stream().anyMatch(x -> x > 0 && x < 1);
            boolean valid = v.stream().allMatch(x -> x >= 0) && v.get(0) < v.get(2) && v.get(1) < v.get(3)
                    && (!normalised || v.get(2) <= 1.0 && v.get(3) <= 1.0);
            if (!valid) {
                return reject(1.0, 0.0, "hygiene.invalid_box", quote("a box that is not [x1, y1, x2, y2] with "
                        + "x1 < x2, y1 < y2 and no negative value", m, text, answer));
            }
        }
        return null;
    }

    /** An answer of a dozen or more words with almost no English function words is in another language. */
    private Verdict language(List<String> answerWords, int turn) {
        int words = 0;
        int english = 0;
        int nonLatin = 0;
        for (String w : answerWords) {
            if (w.chars().allMatch(Character::isDigit)) {
                continue;
            }
            words++;
            if (ENGLISH.contains(w)) {
                english++;
            }
            if (w.codePoints().anyMatch(c -> Character.isLetter(c)
                    && Character.UnicodeScript.of(c) != Character.UnicodeScript.LATIN)) {
                nonLatin++;
            }
        }
        if (words == 0) {
            return null;
        }
        if (nonLatin * 2 > words) {
            return reject((double) nonLatin / words, 0.5, "hygiene.wrong_language", nonLatin + " of " + words
                    + " words of the answer in turn " + turn + " are not in Latin script (expected English)");
        }
        double share = (double) english / words;
        if (words >= MIN_WORDS_FOR_LANGUAGE && share < MIN_ENGLISH_SHARE) {
            return reject(share, MIN_ENGLISH_SHARE, "hygiene.wrong_language", String.format(Locale.ROOT,
                    "%d of %d words of the answer in turn %d are common English words (%.0f%%, expected at "
                            + "least %.0f%%): not English", english, words, turn, share * 100,
                    MIN_ENGLISH_SHARE * 100));
        }
        return null;
    }

    /**
     * Back-to-back copies of the same phrase, for every phrase length up to {@code maxPeriod}. Repeated
     * words far apart are not looked at: a long answer about skiing names "cross-country skiing" many
     * times and is fine, while a decoding loop repeats itself in place.
     */
    private Verdict repetition(List<String> words, int turn) {
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

    /**
     * Whether a phrase pattern ({@link #phrases}) can match the text whose {@link #fold} is {@code foldedText}.
     * The pattern (case-insensitive, Unicode case) matches a text character {@code c} to a phrase character
     * {@code p} when {@code c == fold(p)} or {@code fold(c) == fold(p)}; where every {@code fold(p)} is its own
     * fold (checked by {@link #folded}), both mean {@code fold(c) == fold(p)}, so a match needs the folded
     * phrase inside the folded text. Most answers contain none, and these look-ups cost far less than running
     * the pattern's look-behind at every position.
     */
    private static boolean mayMatch(String foldedText, List<String> foldedPhrases) {
        if (foldedText == null) {
            return true;
        }
        for (String phrase : foldedPhrases) {
            if (foldedText.contains(phrase)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The phrases as the pattern holds them, folded; null when a shortcut would not be exact: a phrase with a
     * surrogate (the pattern then compares code points) or with a character that is not its own fold.
     */
    private static List<String> folded(List<String> phrases) {
        List<String> out = new ArrayList<>();
        for (String p : phrases) {
            String phrase = p.strip().replace('\u2019', '\'');
            if (phrase.isEmpty()) {
                continue;
            }
            String f = fold(phrase);
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (Character.isSurrogate(phrase.charAt(i)) || c == UNFOLDABLE || fold(c) != c) {
                    return null;
                }
            }
            out.add(f);
        }
        return out;
    }

    /** Stands for a character whose fold is not a single UTF-16 unit; no folded phrase contains it. */
    private static final char UNFOLDABLE = '\uFFFF';

    /** Each character {@code c} replaced by {@code toLowerCase(toUpperCase(c))}, as the pattern compares them. */
    private static String fold(String text) {
        char[] out = new char[text.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = fold(text.charAt(i));
        }
        return new String(out);
    }

    private static char fold(char c) {
        int f = Character.toLowerCase(Character.toUpperCase((int) c));
        return f > Character.MAX_VALUE ? UNFOLDABLE : (char) f;
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
