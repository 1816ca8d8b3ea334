package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pure unit test of the complexity filter with the configured minimums: LLaVA's seed conversations, reasoning
 * answers and detailed descriptions and the COCO mini samples pass; the same seed questions answered in one
 * short perceptual line fail with the parts of the score in the detail.
 */
class ComplexityFilterTest {

    private final ComplexityFilter filter = (ComplexityFilter) TestData.filter(ComplexityFilter.NAME);

    @Test
    void llavaSeedsAndCocoSamplesPassTheirTasksMinimum() {
        for (TestData.Seed seed : TestData.llavaSeeds()) {
            Verdict v = filter.check(seed.sample());
            System.out.printf("complexity %s %s: %s%n", seed.file(), seed.task(), filter.parts(seed.sample()));
            assertEquals(Verdict.Outcome.ACCEPTED, v.outcome(), seed.file() + " " + filter.parts(seed.sample()));
            assertTrue(v.threshold() > 0, seed.task() + " has a minimum");
        }
        double lowest = 1;
        for (Sample sample : TestData.cocoSamples()) {
            if (sample.task().equals("detailed_description")) {
                lowest = Math.min(lowest, filter.parts(sample).score());
            }
            assertEquals(Verdict.Outcome.ACCEPTED, filter.check(sample).outcome(), sample.id() + " "
                    + filter.parts(sample));
        }
        System.out.printf("complexity: lowest COCO mini detailed description %.3f%n", lowest);
    }

    @Test
    void aOneLineAnswerToAReasoningQuestionFailsWithItsParts() {
        TestData.Seed ties = TestData.llavaSeeds().stream()
                .filter(s -> s.file().equals("complex_reasoning/000_conv.txt")).findFirst().orElseThrow();
        Verdict v = filter.check(ties.withLastAnswer("He wears ties."));
        assertEquals(Verdict.Outcome.REJECTED, v.outcome());
        assertEquals(ComplexityFilter.TOO_SIMPLE, v.reason());
        assertTrue(v.detail().contains("for complex_reasoning") && v.detail().contains("3 answer words")
                && v.detail().contains("reasoning question"), v.detail());
        for (TestData.Seed seed : TestData.llavaSeeds()) {
            if (!seed.task().equals("detailed_description")) {
                Sample terse = TestData.sample(seed.file(), "img", seed.task(),
                        List.of(seed.turns().get(0), Turn.gpt("It is red.")), seed.truth());
                assertEquals(ComplexityFilter.TOO_SIMPLE, filter.check(terse).reason(), seed.file());
            }
        }
    }

    @Test
    void thePartsAreCountedAndATaskWithoutMinimumPassesAnything() {
        Sample sample = TestData.sample("s", "img", "conversation", List.of(
                Turn.human("<image>\nWhy is the man wearing ten ties?"),
                Turn.gpt("The man wears ten ties because it is a joke, which suggests a party."),
                Turn.human("What is next to him?"), Turn.gpt("A dog and a cat sit next to him.")));
        ComplexityFilter.Parts parts = filter.parts(sample);
        assertEquals(2, parts.turns());
        assertEquals(23, parts.answerWords());
        assertEquals(2, parts.reasoningMarkers());
        assertEquals(4, parts.objects());
        assertEquals("reasoning", parts.questionType());
        assertEquals(0.0, filter.minimumOf("brief_caption"));
        ComplexityFilter none = new ComplexityFilter(filter.mentions(), new ComplexityFilter.Caps(4, 150, 3, 5),
                List.of("because"), 0.0, Map.of());
        assertEquals(Verdict.Outcome.ACCEPTED, none.check(TestData.qa("brief_caption", "Describe.", "A cat."))
                .outcome());
    }
}
