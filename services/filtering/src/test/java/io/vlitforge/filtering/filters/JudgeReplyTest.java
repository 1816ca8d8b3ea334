package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Pure unit test of reading a judge's reply: the shapes real chat models answer in; nothing external. */
class JudgeReplyTest {

    @Test
    void theAskedForJsonObjectIsRead() {
        JudgeReply reply = JudgeReply.parse("{\"score\": 8, \"reason\": \"Accurate and specific; every object is "
                + "in the captions.\"}");
        assertTrue(reply.scored());
        assertEquals(8.0, reply.score());
        assertEquals("Accurate and specific; every object is in the captions.", reply.reason());
    }

    @Test
    void jsonInAFenceAfterProseOrAThinkBlockIsRead() {
        JudgeReply fenced = JudgeReply.parse("Here is my evaluation:\n```json\n{\n  \"score\": 3,\n  \"reason\": "
                + "\"It claims a dog {not in the image}, which no caption mentions.\"\n}\n```");
        assertEquals(3.0, fenced.score());
        assertEquals("It claims a dog {not in the image}, which no caption mentions.", fenced.reason());

        JudgeReply thinking = JudgeReply.parse("<think>The captions say two giraffes. Score 10 would be too "
                + "generous... {\"score\": 10}</think>\n{\"score\": 7, \"reason\": \"Correct but generic.\"}");
        assertEquals(7.0, thinking.score(), "what the model thought before answering is not its answer");

        JudgeReply loose = JudgeReply.parse("{'Score': '9/10', 'Explanation': 'Thorough and correct.',}");
        assertEquals(9.0, loose.score());
        assertEquals("Thorough and correct.", loose.reason());
    }

    @Test
    void proseScoresAreRead() {
        JudgeReply plain = JudgeReply.parse("Score: 4\nReason: The answer says there are three people, but the "
                + "annotations show two.");
        assertEquals(4.0, plain.score());
        assertEquals("The answer says there are three people, but the annotations show two.", plain.reason());

        JudgeReply markdown = JudgeReply.parse("**Rating:** 6/10\n\nThe description is correct but short.");
        assertEquals(6.0, markdown.score());
        assertEquals("The description is correct but short.", markdown.reason());

        assertEquals(7.5, JudgeReply.parse("7.5/10 - detailed, one vague sentence.").score());
        assertEquals(5.0, JudgeReply.parse("I would give this a score of 5 because it is too brief.").score());
    }

    @Test
    void aReplyWithoutAScoreInRangeIsNotGuessedAt() {
        JudgeReply none = JudgeReply.parse("The answer looks fine to me.");
        assertFalse(none.scored());
        assertEquals("no score in the reply", none.problem());

        JudgeReply outOfRange = JudgeReply.parse("{\"score\": 85, \"reason\": \"good\"}");
        assertFalse(outOfRange.scored());
        assertEquals("score 85 is outside 1..10", outOfRange.problem());

        JudgeReply zero = JudgeReply.parse("Score: 0");
        assertFalse(zero.scored(), "a 1..10 scale has no 0");

        JudgeReply words = JudgeReply.parse("{\"score\": \"high\", \"reason\": \"good\"}");
        assertFalse(words.scored());
        assertTrue(words.problem().contains("not a number"), words.problem());

        assertFalse(JudgeReply.parse("").scored());
        assertFalse(JudgeReply.parse(null).scored());
        assertFalse(JudgeReply.parse("{\"score\": 9, \"reason\": \"cut off mid-").scored(),
                "a reply cut short at max tokens has no complete object and no prose score");
    }
}
