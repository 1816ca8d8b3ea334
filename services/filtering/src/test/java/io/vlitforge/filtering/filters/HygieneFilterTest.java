package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pure unit test of the hygiene filter with the configured phrases: LLaVA's seed answers and COCO
 * captions pass; the same answers edited to refuse, leak their sources or loop fail with that reason.
 */
class HygieneFilterTest {

    private final SampleFilter filter = TestData.filter(HygieneFilter.NAME);

    private Verdict check(Sample sample) {
        return filter.check(sample);
    }

    private String reason(Sample sample) {
        Verdict v = check(sample);
        return v.outcome() == Verdict.Outcome.ACCEPTED ? "accepted" : v.reason();
    }

    @Test
    void llavaSeedAnswersAndCocoCaptionsAreClean() {
        for (TestData.Seed seed : TestData.llavaSeeds()) {
            assertEquals("accepted", reason(seed.sample()), seed.file());
        }
        for (Sample sample : TestData.cocoSamples()) {
            assertEquals("accepted", reason(sample), sample.conversations().get(1).value());
        }
    }

    @Test
    void editedSeedsWithARefusalFailAndTheDetailQuotesIt() {
        for (TestData.Seed seed : TestData.llavaSeeds()) {
            Verdict sorry = check(seed.withLastAnswer("I'm sorry, but I cannot help with that. " + seed.lastAnswer()));
            assertEquals("hygiene.refusal", sorry.reason(), seed.file());
            assertTrue(sorry.detail().contains("\"I'm sorry\""), sorry.detail());
            assertEquals("hygiene.refusal", reason(seed.withLastAnswer(
                    "As an AI language model, I can describe it. " + seed.lastAnswer())), seed.file());
        }
        TestData.Seed detail = seed("detail_description/001_conv.txt");
        Verdict curly = check(detail.withLastAnswer(detail.lastAnswer() + " I\u2019m unable to see the driver."));
        assertEquals("hygiene.refusal", curly.reason());
        assertTrue(curly.detail().contains("I'm unable to") && curly.detail().contains("in turn 1"), curly.detail());
    }

    @Test
    void editedSeedsThatLeakTheirSourcesFail() {
        TestData.Seed harbor = seed("detail_description/000_conv.txt");
        Verdict caption = check(harbor.withLastAnswer("According to the captions, " + harbor.lastAnswer()));
        assertEquals("hygiene.source_leak", caption.reason());
        assertTrue(caption.detail().contains("\"According to the captions\""), caption.detail());
        assertEquals("hygiene.source_leak", reason(harbor.withLastAnswer(harbor.lastAnswer()
                .replace("A person is visible", "A person (see the bounding boxes) is visible"))));
        assertEquals("hygiene.source_leak", reason(harbor.withLastAnswer(harbor.lastAnswer()
                .replace("Among the boats", "Based on the annotations, among the boats"))));
        // The box of the red bicycle as the prompt gave it to GPT-4 (detail_description/000_caps.txt).
        Verdict box = check(harbor.withLastAnswer(harbor.lastAnswer()
                .replace("There is a red bicycle", "There is a red bicycle [0.287, 0.641, 0.507, 0.874]")));
        assertEquals("hygiene.source_leak", box.reason());
        assertTrue(box.detail().contains("[0.287, 0.641, 0.507, 0.874]"), box.detail());
    }

    @Test
    void coordinatesAreAllowedOnlyInTheTasksConfiguredForThem() {
        HygieneFilter grounding = new HygieneFilter(List.of(), List.of(), Set.of("grounding"), 12, 3, 4);
        Sample box = TestData.sample("s", "img", "grounding", List.of(Turn.human("<image>\nWhere is the bicycle?"),
                Turn.gpt("[0.287, 0.641, 0.507, 0.874]")));
        assertEquals(Verdict.Outcome.ACCEPTED, grounding.check(box).outcome());
        assertEquals("hygiene.source_leak", reason(box));
    }

    @Test
    void groundingAnswersMustHoldRealBoxes() {
        HygieneFilter grounding = new HygieneFilter(List.of(), List.of(), Set.of("grounding"), 12, 3, 4);
        for (String bad : List.of("[0.507, 0.641, 0.287, 0.874]", "[0.2, 0.9, 0.5, 0.3]", "[0.2, 0.3, 0.5, 1.4]",
                "[-3, 10, 40, 60]")) {
            Sample sample = TestData.sample("s", "img", "grounding", List.of(
                    Turn.human("<image>\nWhere is the bicycle?"), Turn.gpt("The bicycle is at " + bad + ".")));
            Verdict verdict = grounding.check(sample);
            assertEquals("hygiene.invalid_box", verdict.reason(), bad);
            assertTrue(verdict.detail().contains(bad), verdict.detail());
        }
        Sample pixels = TestData.sample("s", "img", "grounding", List.of(Turn.human("<image>\nWhere is it?"),
                Turn.gpt("[12, 40, 230, 310]")));
        assertEquals(Verdict.Outcome.ACCEPTED, grounding.check(pixels).outcome(), "pixel corners are boxes too");
    }

    @Test
    void answersInAnotherLanguageFailButEveryEnglishSeedPasses() {
        for (String file : List.of("conversation/000_conv.txt", "conversation/001_conv.txt",
                "detail_description/000_conv.txt", "complex_reasoning/000_conv.txt")) {
            TestData.Seed seed = seed(file);
            assertEquals("accepted", reason(seed.withLastAnswer(seed.lastAnswer())), file);
        }
        TestData.Seed skiing = seed("conversation/001_conv.txt");
        Verdict french = check(skiing.withLastAnswer("Le skieur descend une pente enneig\u00e9e avec des b\u00e2tons "
                + "et porte une veste rouge pendant une journ\u00e9e ensoleill\u00e9e en montagne."));
        assertEquals("hygiene.wrong_language", french.reason());
        assertTrue(french.detail().contains("not English"), french.detail());
        assertEquals("hygiene.wrong_language", reason(skiing.withLastAnswer(
                "\u4e00\u4e2a\u4eba\u5728\u96ea\u5730\u4e0a\u6ed1\u96ea\u3002")));
        assertEquals("accepted", reason(TestData.qa("conversation", "What is there?", "Two dogs.")),
                "a short answer is not judged by its function words");
    }

    @Test
    void aDecodingLoopFailsButNamingTheSameThingOftenDoesNot() {
        TestData.Seed skiing = seed("conversation/001_conv.txt");
        assertTrue(skiing.lastAnswer().toLowerCase().split("cross-country skiing", -1).length > 5,
                "the seed names its subject many times and still passes");
        String sentence = "The skier is skiing in the snow-covered hills.";
        Verdict loop = check(skiing.withLastAnswer(sentence + " " + sentence + " " + sentence));
        assertEquals("hygiene.repetition", loop.reason());
        assertEquals(3.0, loop.score());
        assertTrue(loop.detail().contains("\"the skier is skiing in the snow covered hills\""), loop.detail());
        assertEquals("accepted", reason(skiing.withLastAnswer(sentence + " " + sentence)));
        assertEquals("accepted", reason(TestData.qa("conversation", "How cold?", "It is very very very cold.")));
        assertEquals("hygiene.repetition", reason(TestData.qa("conversation", "How cold?",
                "It is very very very very cold.")));
    }

    @Test
    void humanTurnsMayMentionBoxes() {
        assertEquals("accepted", reason(TestData.qa("conversation", "What is in the bounding box [0.1, 0.2, 0.3, 0.4]?",
                "A red bicycle parked in front of the boats.")));
    }

    private static TestData.Seed seed(String file) {
        return TestData.llavaSeeds().stream().filter(s -> s.file().equals(file)).findFirst().orElseThrow();
    }
}
