package io.vlitforge.generation.selfinstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The model-reply part of the bad-input corpus (issue 9; the images and annotations part is ingestion's
 * BadInputCorpusTest, the protocol faults are SelfInstructPipelineTest's): replies a real model sends when it
 * misbehaves, each refused with its own reason (which the step stores with the raw reply as a rejection
 * record), while a good reply in the same batch still parses. Pure unit test.
 */
class MalformedModelRepliesTest {

    private static final String GOOD = "Question:\nWhat is the man holding?\n===\nAnswer:\nHe is holding a kite.\n"
            + "===\nQuestion:\nWhere is he?\n===\nAnswer:\nHe stands on a beach.";

    @Test
    void everyBrokenConversationReplyIsRefusedWithItsOwnReason() {
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("", "empty reply");
        corpus.put("   \n\t ", "empty reply");
        corpus.put("I'd be happy to help! The image shows a man flying a kite on a beach.", "no Question:/Answer: labels");
        corpus.put("Question: What is he holding?\nQuestion: Where is he?\nAnswer: A beach.", "two questions in a row");
        corpus.put("Question:\n===\nAnswer: A kite.", "an empty question");
        corpus.put("Answer: A kite.\nQuestion: Why?", "an answer without a question");
        corpus.put("Question: What is he holding?\nAnswer:   \n", "an empty answer");
        corpus.put("Question: What is he holding?\nAnswer: A kite.", "only 1 complete question/answer pairs");
        corpus.put("{\"question\": \"What is he holding?\", \"answer\": \"A kite.\"}", "no Question:/Answer: labels");
        corpus.put("Question: What is he holding?", "only 0 complete question/answer pairs");
        Set<String> reasons = new TreeSet<>();
        for (Map.Entry<String, String> bad : corpus.entrySet()) {
            ReplyParser.Unparseable e = assertThrows(ReplyParser.Unparseable.class,
                    () -> ReplyParser.questionsAndAnswers(bad.getKey(), 2), bad.getKey());
            assertTrue(e.getMessage().startsWith(bad.getValue()), bad.getKey() + " -> " + e.getMessage());
            reasons.add(e.getMessage().replaceAll("\\d+", "N"));
        }
        assertEquals(7, reasons.size(), "distinct reasons: " + reasons);
        assertEquals(4, ReplyParser.questionsAndAnswers(GOOD, 2).size(), "the good reply of the batch still parses");
    }

    @Test
    void everyBrokenDescriptionReplyIsRefusedWithItsOwnReason() {
        String instruction = "Describe the image in detail.";
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("", "empty reply");
        corpus.put("A kite.", "a description of only");
        corpus.put(GOOD, "a question/answer reply where a description was asked for");
        for (Map.Entry<String, String> bad : corpus.entrySet()) {
            ReplyParser.Unparseable e = assertThrows(ReplyParser.Unparseable.class,
                    () -> ReplyParser.description(instruction, bad.getKey()), bad.getKey());
            assertTrue(e.getMessage().startsWith(bad.getValue()), e.getMessage());
        }
        String good = "A man in a red jacket flies a large kite on a windy beach while waves roll in behind him.";
        assertEquals(2, ReplyParser.description(instruction, good).size());
    }
}
