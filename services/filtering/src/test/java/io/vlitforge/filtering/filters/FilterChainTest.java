package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of the configured filter chain on real LLaVA and COCO samples: nothing external. */
class FilterChainTest {

    private final FilterChain chain = TestData.chain();

    private static List<String> reasons(List<Verdict> verdicts) {
        return verdicts.stream().map(v -> v.outcome() == Verdict.Outcome.ACCEPTED ? "accepted" : v.reason()).toList();
    }

    @Test
    void everyFilterRunsInOrderAndEveryVerdictIsKept() {
        assertEquals("format+length+hygiene+hallucination+complexity+exact_duplicate+near_duplicate+near_image+novelty+quota",
                chain.stepName());
        Sample sorry = TestData.qa("brief_caption", "Describe the image.", "I'm sorry");
        List<Verdict> verdicts = chain.check(sorry);
        assertEquals(List.of("format", "length", "hygiene", "hallucination", "complexity"),
                verdicts.stream().map(Verdict::filter).toList());
        assertEquals(List.of("accepted", "format.answer_too_short", "hygiene.refusal", "accepted", "accepted"),
                reasons(verdicts));
        assertTrue(verdicts.stream().allMatch(v -> v.version() != null));

        Sample broken = TestData.sample("s", "img", "brief_caption",
                List.of(Turn.human("Describe."), Turn.gpt("As an AI I see a man riding a horse.")));
        assertEquals(List.of("format.image_token_count", "accepted", "hygiene.refusal", "accepted", "accepted"),
                reasons(chain.check(broken)));
    }

    @Test
    void realCocoAndLlavaSamplesPassEveryContentFilter() {
        List<String> allAccepted = List.of("accepted", "accepted", "accepted", "accepted", "accepted");
        for (Sample sample : TestData.cocoSamples()) {
            assertEquals(allAccepted, reasons(chain.check(sample)), sample.id());
        }
        for (TestData.Seed seed : TestData.llavaSeeds()) {
            assertEquals(allAccepted, reasons(chain.check(seed.sample())), seed.file());
        }
    }

    @Test
    void theVersionIsStableAndChangesWithAnyParameter() {
        assertEquals(chain.version(), TestData.chain().version());
        assertEquals(12, chain.version().length());
        FilterChain stricter = new FilterChain(chain.filters(), chain.exactDuplicate(),
                new NearDuplicateFilter(3, 20, 5, 0.9, true));
        assertTrue(!stricter.version().equals(chain.version()));
        assertEquals(10, chain.describe().size());
        assertEquals("near_image", chain.describe().get(7).name());
        assertEquals(4, chain.describe().get(7).parameters().get("maxDistance"));
        FilterChain looser = new FilterChain(chain.filters(), chain.exactDuplicate(), chain.nearDuplicate(),
                new NearImageFilter(6, 8), chain.novelty(), chain.quota());
        assertTrue(!looser.version().equals(chain.version()), "the near-image settings are part of the version");
        assertEquals(0.8, chain.describe().get(6).parameters().get("threshold"));
    }
}
