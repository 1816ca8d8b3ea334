package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of the format checks and fingerprints: nothing external. */
class FormatFilterTest {

    private final FormatFilter filter = new FormatFilter();

    static final Lineage LINEAGE = new Lineage(Strategy.AA, new Recipe("r", "1", "h"), "t/0", 1, null, null, null,
            List.of());

    static Sample sample(List<Turn> turns) {
        return new Sample(1, "s", "img", "images/aa/bb/img.jpeg", turns, "t", "c", null, LINEAGE, null, null);
    }

    private String reason(Turn... turns) {
        Verdict v = filter.check(sample(List.of(turns)));
        return v.outcome() == Verdict.Outcome.ACCEPTED ? "accepted" : v.reason();
    }

    @Test
    void acceptsTheLlavaShape() {
        assertEquals("accepted", reason(Turn.human("<image>\nWhat is this?"), Turn.gpt("A cat."),
                Turn.human("What colour?"), Turn.gpt("Black.")));
    }

    @Test
    void refusesEachBrokenShapeWithItsOwnReason() {
        assertEquals("format.no_conversation", reason());
        assertEquals("format.role_order", reason(Turn.gpt("<image>\nHi"), Turn.human("x")));
        assertEquals("format.role_order", reason(Turn.human("<image>\nHi"), Turn.gpt("x"), Turn.human("y")));
        assertEquals("format.role_order", reason(Turn.human("<image>\nHi"), Turn.human("x")));
        assertEquals("format.empty_turn", reason(Turn.human("<image>\nHi"), Turn.gpt("  ")));
        assertEquals("format.empty_turn", reason(Turn.human("<image>\n"), Turn.gpt("x")));
        assertEquals("format.image_token_count", reason(Turn.human("Hi"), Turn.gpt("x")));
        assertEquals("format.image_token_count", reason(Turn.human("<image>\nHi <image>"), Turn.gpt("x")));
        assertEquals("format.image_token_count", reason(Turn.human("<image>\nHi"), Turn.gpt("<image> x")));
        assertEquals("format.image_token_position", reason(Turn.human("Hi <image>"), Turn.gpt("x")));
        Sample noLineage = new Sample(1, "s", "img", "k", List.of(Turn.human("<image>\nHi"), Turn.gpt("x")), "t", "c",
                null, null, null, null);
        assertEquals("lineage.missing", filter.check(noLineage).reason());
    }

    @Test
    void fingerprintIgnoresCaseAndSpacingButNotTheImage() {
        Sample a = sample(List.of(Turn.human("<image>\nWhat is this?"), Turn.gpt("A  cat.")));
        Sample b = sample(List.of(Turn.human("<image>\nwhat is   this?"), Turn.gpt("a cat.")));
        Sample other = new Sample(1, "s2", "img2", "k", a.conversations(), "t", "c", null, LINEAGE, null, null);
        assertEquals(ContentFingerprint.of(a), ContentFingerprint.of(b));
        assertNotEquals(ContentFingerprint.of(a), ContentFingerprint.of(other));
    }
}
