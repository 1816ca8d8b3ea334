package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of the length bounds with the service's configured defaults on real LLaVA and COCO text. */
class LengthFilterTest {

    private final LengthFilter filter = (LengthFilter) TestData.filter(LengthFilter.NAME);

    private String reason(Sample sample) {
        Verdict v = filter.check(sample);
        return v.outcome() == Verdict.Outcome.ACCEPTED ? "accepted" : v.reason();
    }

    @Test
    void llavaSeedAnswersFitTheirBounds() {
        List<TestData.Seed> seeds = TestData.llavaSeeds();
        assertEquals(8, seeds.size(), "3 conversation-style, 3 detail and 2 multi-turn seeds");
        for (TestData.Seed seed : seeds) {
            assertEquals("accepted", reason(seed.sample()), seed.file());
        }
    }

    @Test
    void everyCocoCaptionIsABriefCaptionAndEveryCocoSampleFits() {
        List<Sample> samples = TestData.cocoSamples();
        assertTrue(samples.size() > 400, "400 captions plus descriptions and counts, got " + samples.size());
        for (Sample sample : samples) {
            assertEquals("accepted", reason(sample), sample.id() + ": " + sample.conversations().get(1).value());
        }
        assertEquals("accepted", reason(TestData.qa("brief_caption", "Describe the image.", "A man riding a horse.")));
    }

    @Test
    void tooShortAndTooLongAnswersAreRejectedWithTheTaskBounds() {
        Verdict shortCaption = filter.check(TestData.qa("brief_caption", "Describe the image.", "A cat."));
        assertEquals("format.answer_too_short", shortCaption.reason());
        assertEquals(6.0, shortCaption.score());
        assertEquals(10.0, shortCaption.threshold());
        assertTrue(shortCaption.detail().contains("\"A cat.\""), shortCaption.detail());

        TestData.Seed detail = TestData.llavaSeeds().stream().filter(s -> s.kind().equals("detail_description"))
                .findFirst().orElseThrow();
        String firstSentence = detail.lastAnswer().substring(0, detail.lastAnswer().indexOf('.') + 1);
        assertEquals("format.answer_too_short", reason(detail.withLastAnswer("A harbor.")));
        assertEquals("accepted", reason(detail.withLastAnswer(firstSentence)), firstSentence);
        assertEquals("format.answer_too_long", reason(detail.withLastAnswer(detail.lastAnswer().repeat(8))));
        assertEquals("format.answer_too_long", reason(TestData.qa("object_counting", "How many dogs?",
                "There are two dogs. ".repeat(11))));
    }

    @Test
    void aTaskWithoutBoundsOfItsOwnGetsTheDefaults() {
        assertEquals(filter.boundsOf("no_such_task"), filter.boundsOf(null));
        assertEquals("accepted", reason(TestData.qa("conversation", "Is it red?", "Yes.")));
        assertEquals("format.answer_too_short", reason(TestData.qa("conversation", "Is it red?", "Y")));
    }
}
