package io.vlitforge.publication.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pure unit test of release recipes: selection, weights, caps and per-image merging; nothing external. */
class ReleaseRecipeTest {

    private static Sample sample(String id, String image, String task, String dataset, Strategy strategy) {
        Lineage lineage = new Lineage(strategy, new Recipe("r", "1", "h"), "t/0", 1,
                new Generator("template", null, null, null), null, new SourceRef(dataset, "train", id, id + ".jpg"),
                List.of());
        return new Sample(Sample.SCHEMA_VERSION, id, image, "images/" + image + ".jpeg",
                List.of(Turn.human("<image>\nQuestion " + id + "?"), Turn.gpt("Answer " + id + ".")), task, "vqa",
                new Licence("CC BY 2.0", "u"), lineage, Usage.NONE, "t");
    }

    /** 1,000 samples: two sources, two tasks, two strategies, 100 images. */
    private static List<Sample> pool() {
        List<Sample> pool = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            pool.add(sample(String.format("s%04d", i), "img" + (i % 100), i % 2 == 0 ? "vqa_short" : "caption",
                    i % 4 < 2 ? "coco" : "vg", i % 3 == 0 ? Strategy.SI : Strategy.AA));
        }
        return pool;
    }

    private static ReleaseRecipe recipe(List<String> sources, List<String> tasks, List<String> strategies,
            Map<String, Double> minScores, Map<String, Double> weights, Map<String, Long> caps, boolean merge,
            Integer maxTurns, long seed) {
        return new ReleaseRecipe(sources, tasks, strategies, minScores, weights, caps, merge, maxTurns, seed);
    }

    @Test
    void theEmptyRecipeKeepsEverythingAndFiltersNarrowBySourceTaskAndStrategy() {
        assertEquals(1000, ReleaseRecipe.all().select(pool(), Map.of()).size());
        List<Sample> narrowed = recipe(List.of("vg"), List.of("caption"), List.of("AA"), null, null, null, false,
                null, 0).select(pool(), Map.of());
        assertTrue(narrowed.stream().allMatch(s -> s.task().equals("caption")
                && ReleaseRecipe.source(s).equals("vg") && ReleaseRecipe.strategy(s).equals("AA")));
        long expected = pool().stream().filter(s -> s.task().equals("caption") && ReleaseRecipe.source(s).equals("vg")
                && ReleaseRecipe.strategy(s).equals("AA")).count();
        assertEquals(expected, narrowed.size());
    }

    @Test
    void minimumScoresNeedAVerdictOfThatFilterAtOrAboveTheMinimum() {
        Map<String, List<Verdict>> verdicts = new HashMap<>();
        verdicts.put("s0000", List.of(new Verdict("complexity", "1", 0.9, 0.2, Verdict.Outcome.ACCEPTED, null, null)));
        verdicts.put("s0001", List.of(new Verdict("complexity", "1", 0.1, 0.05, Verdict.Outcome.ACCEPTED, null, null)));
        List<Sample> kept = recipe(null, null, null, Map.of("complexity", 0.5), null, null, false, null, 0)
                .select(pool(), verdicts);
        assertEquals(List.of("s0000"), kept.stream().map(Sample::id).toList());
    }

    @Test
    void weightsKeepAStableShareOfASourceAndCapsCutTasksExactly() {
        ReleaseRecipe mix = recipe(null, null, null, null, Map.of("vg", 0.25), Map.of("vqa_short", 100L), false, null,
                7);
        List<Sample> kept = mix.select(pool(), Map.of());
        Map<String, Long> bySource = kept.stream().collect(Collectors.groupingBy(ReleaseRecipe::source,
                Collectors.counting()));
        // 500 vg samples at 0.25 -> about 125 (the draw is a hash, so allow sampling noise), 100 vqa cap.
        long vqa = kept.stream().filter(s -> s.task().equals("vqa_short")).count();
        assertEquals(100, vqa, "the cap is exact");
        long vgCaptions = kept.stream().filter(s -> s.task().equals("caption") && "vg".equals(ReleaseRecipe.source(s)))
                .count();
        assertTrue(vgCaptions > 30 && vgCaptions < 95, "about a quarter of vg's 250 captions: " + vgCaptions);
        assertEquals(250, kept.stream().filter(s -> s.task().equals("caption") && "coco".equals(ReleaseRecipe.source(s)))
                .count(), "an unweighted source keeps everything");
        assertTrue(bySource.get("vg") < bySource.get("coco"));

        assertEquals(kept, mix.select(pool(), Map.of()), "the same recipe selects the same samples");
        ReleaseRecipe otherSeed = recipe(null, null, null, null, Map.of("vg", 0.25), Map.of("vqa_short", 100L), false,
                null, 8);
        assertNotEquals(kept, otherSeed.select(pool(), Map.of()), "the seed decides which ones");
        assertNotEquals(mix.hash(), otherSeed.hash());
        assertEquals(mix.hash(), recipe(null, null, null, null, Map.of("vg", 0.25), Map.of("vqa_short", 100L), false,
                null, 7).hash());
    }

    @Test
    void mergingMakesOneConversationPerImageWithOneImageToken() {
        List<Sample> merged = recipe(null, List.of("vqa_short"), null, null, null, null, true, null, 0)
                .select(pool(), Map.of());
        assertEquals(50, merged.size(), "the 500 vqa samples sit on 50 images");
        for (Sample s : merged) {
            assertEquals(ReleaseRecipe.MERGED_TASK, s.task());
            assertEquals(20, s.conversations().size(), "ten QA pairs per image");
            assertTrue(s.conversations().get(0).value().startsWith("<image>\nQuestion "));
            long tokens = s.conversations().stream().filter(t -> t.value().contains("<image>")).count();
            assertEquals(1, tokens, "<image> once, in the first human turn");
            for (int i = 0; i < s.conversations().size(); i++) {
                assertEquals(i % 2 == 0 ? Turn.HUMAN : Turn.GPT, s.conversations().get(i).from());
            }
        }
        List<Sample> bounded = recipe(null, List.of("vqa_short"), null, null, null, null, true, 6, 0)
                .select(pool(), Map.of());
        assertTrue(bounded.stream().allMatch(s -> s.conversations().size() <= 6));
        assertEquals(500 * 2, bounded.stream().mapToInt(s -> s.conversations().size()).sum(), "no turn lost");
    }

    @Test
    void impossibleWeightsCapsAndTurnLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> recipe(null, null, null, null, Map.of("vg", 1.5), null, false, null, 0).validated());
        assertThrows(IllegalArgumentException.class,
                () -> recipe(null, null, null, null, null, Map.of("t", -1L), false, null, 0).validated());
        assertThrows(IllegalArgumentException.class, () -> recipe(null, null, null, null, null, null, true, 1, 0).validated());
    }
}
