package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of ROUGE-L F1 and of the instructions the novelty filter compares; nothing external. */
class RougeLTest {

    private static double f(String a, String b) {
        return RougeL.f1(RougeL.words(a), RougeL.words(b));
    }

    @Test
    void theLongestCommonSubsequenceGivesPrecisionRecallAndF1() {
        // LCS "the cat on the mat" = 5 words: precision 5/6, recall 5/5.
        assertEquals(2 * (5.0 / 6) / (5.0 / 6 + 1), f("The cat sat on the mat.", "the cat on the mat"), 1e-9);
        assertEquals(1.0, f("What color is the fire hydrant?", "what COLOR is the fire hydrant"), 1e-9);
        assertEquals(0.0, f("Why is the city struggling?", "Describe a horse"), 1e-9);
        assertEquals(0.0, f("", "anything"), 1e-9);
        // Order matters: a subsequence, not a bag of words.
        assertTrue(f("a b c d", "d c b a") < 0.3);
        assertTrue(f("What color is the fire hydrant in the image?", "What colour is the fire hydrant in this image?")
                >= 0.7);
        assertTrue(f("What color is the fire hydrant in the image?", "What challenges might this city face?") < 0.7);
    }

    @Test
    void theInstructionsAreTheHumanTurnsWithoutTheImageToken() {
        TestData.Seed seed = TestData.llavaSeeds().stream().filter(s -> s.file().equals("conversation/000_conv.txt"))
                .findFirst().orElseThrow();
        String text = NoveltyFilter.instructions(seed.sample());
        assertTrue(text.startsWith("What color is the fire hydrant in the image?\nIs the fire hydrant"), text);
        assertEquals(4, text.split("\n").length);
        assertEquals(List.of("what", "color"), RougeL.words(text).subList(0, 2));
    }
}
