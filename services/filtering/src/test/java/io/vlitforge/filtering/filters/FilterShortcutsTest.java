package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shortcuts the content filters take for speed against the regular expressions they replaced, on real
 * answers (every LLaVA seed answer, every COCO caption) and on texts made to catch a shortcut out (case, curly
 * quotes, letters whose case folds oddly, other scripts, digits of other scripts, surrogate pairs). Pure code,
 * nothing stubbed.
 */
class FilterShortcutsTest {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");
    private static final List<String> TRICKY = List.of(
            "I'M SORRY, but this is fine.", "i aM sOrRy", "As An Ai I see a dog.", "I \u212Aan't", "I can\u2019t see it.",
            "I \u017Fee \u017Fomething; I'm \u017Forry.", "\u0130 AM SORRY", "according to THE CAPTION, a cat",
            "Accordingto the caption", "I cannotice a dog", "sorry I'm", "Γειά σου κόσμε, ΟΔΟΣ", "日本語のテキスト 123",
            "\uD835\uDC00\uD835\uDC01 math letters \uD83D\uDE00 emoji", "٣ arabic digits ٤٥", "don't won't o'clock",
            "  spaced   out\ttext\n", "", "'''", "x'y'z", "Because of that, therefore; HENCE so that", "BECAUSE");

    private static List<String> texts() {
        List<String> texts = new ArrayList<>(TRICKY);
        for (TestData.Seed seed : TestData.llavaSeeds()) {
            seed.turns().forEach(t -> texts.add(t.value()));
        }
        TestData.cocoSamples().forEach(s -> s.conversations().forEach(t -> texts.add(t.value())));
        return texts;
    }

    @Test
    void wordsAreWhatTheWordPatternFinds() {
        for (String text : texts()) {
            List<String> expected = new ArrayList<>();
            Matcher m = WORD.matcher(text);
            while (m.find()) {
                expected.add(m.group());
            }
            assertEquals(expected, Words.of(text), text);
            assertEquals(expected.size(), Words.count(text), text);
        }
    }

    @Test
    void hygieneAndComplexityGiveTheVerdictsOfTheirPatterns() {
        FilterChain chain = TestData.chain();
        HygieneFilter hygiene = (HygieneFilter) TestData.filter("hygiene");
        ComplexityFilter complexity = (ComplexityFilter) TestData.filter("complexity");
        Pattern refusal = Pattern.compile("(?<![\\p{L}\\p{N}])(?:" + String.join("|",
                TestData.config().hygiene().refusalPhrases().stream().map(p -> Pattern.quote(p.strip())).toList())
                + ")(?:e?s)?(?![\\p{L}\\p{N}])", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        int refusals = 0;
        for (String text : texts()) {
            Sample sample = TestData.qa("conversation", "What is in the picture?", text);
            Verdict verdict = hygiene.check(sample);
            boolean refused = refusal.matcher(text.replace('\u2019', '\'')).find();
            refusals += refused ? 1 : 0;
            assertEquals(refused, "hygiene.refusal".equals(verdict.reason()), text);
            // The complexity score counts words and markers; both must be what the patterns count.
            assertEquals(expectedWords(text), complexity.parts(sample).answerWords(), text);
        }
        assertEquals(true, refusals >= 5, "the tricky texts hold refusals: " + refusals);
        assertEquals(chain.filters().size(), chain.check(TestData.qa("conversation", "Why?", "Because.")).size());
    }

    private static int expectedWords(String text) {
        int n = 0;
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void reasoningMarkersAreCountedAsThePatternCountsThem() {
        ComplexityFilter complexity = (ComplexityFilter) TestData.filter("complexity");
        Pattern marker = Pattern.compile("(?<![\\p{L}])(?:" + String.join("|", TestData.config().complexity()
                .reasoningMarkers().stream().map(String::strip).filter(m -> !m.isEmpty()).map(Pattern::quote)
                .toList()) + ")(?![\\p{L}])", Pattern.CASE_INSENSITIVE);
        for (String text : texts()) {
            int expected = 0;
            Matcher m = marker.matcher(text);
            while (m.find()) {
                expected++;
            }
            Sample sample = TestData.sample("s", "img", "conversation",
                    List.of(Turn.human("<image>\nWhy?"), Turn.gpt(text)));
            assertEquals(expected, complexity.parts(sample).reasoningMarkers(), text);
        }
    }
}
