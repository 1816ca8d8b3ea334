package io.vlitforge.generation.selfinstruct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Symbolic context, reply parsing and the response-type draw, on LLaVA's real seed replies from
 * {@code ../shared/fixtures/llava/prompts}; plain code, nothing stubbed.
 */
class SelfInstructTextTest {

    private static List<Path> replies(String type) throws Exception {
        try (var files = Files.list(Fixtures.root().resolve("llava/prompts").resolve(type))) {
            return files.filter(f -> f.getFileName().toString().endsWith("_conv.txt")).sorted().toList();
        }
    }

    @Test
    void llavasOwnConversationAndReasoningRepliesParseIntoTurns() throws Exception {
        for (String type : List.of("conversation", "complex_reasoning")) {
            for (Path reply : replies(type)) {
                List<Turn> turns = ReplyParser.questionsAndAnswers(Files.readString(reply), 1);
                assertTrue(turns.size() >= 2 && turns.size() % 2 == 0, reply + " gave " + turns.size() + " turns");
                assertTrue(turns.get(0).value().startsWith("<image>\n"), "the image token opens the first question");
                for (int i = 0; i < turns.size(); i++) {
                    assertEquals(i % 2 == 0 ? Turn.HUMAN : Turn.GPT, turns.get(i).from());
                    assertFalse(turns.get(i).value().contains("==="), "separators are not text");
                    assertFalse(turns.get(i).value().isBlank());
                }
            }
        }
        List<Turn> fireHydrant = ReplyParser.questionsAndAnswers(
                Files.readString(Fixtures.root().resolve("llava/prompts/conversation/000_conv.txt")), 1);
        assertEquals(8, fireHydrant.size(), "four exchanges");
        assertEquals("<image>\nWhat color is the fire hydrant in the image?", fireHydrant.get(0).value());
        assertEquals("The fire hydrant in the image is red.", fireHydrant.get(1).value());
    }

    @Test
    void llavasDetailRepliesAreDescriptionsAndQuestionRepliesAreNot() throws Exception {
        for (Path reply : replies("detail_description")) {
            List<Turn> turns = ReplyParser.description("Describe this photo in detail.", Files.readString(reply));
            assertEquals(2, turns.size());
            assertEquals("<image>\nDescribe this photo in detail.", turns.get(0).value());
        }
        String qa = Files.readString(Fixtures.root().resolve("llava/prompts/conversation/000_conv.txt"));
        assertThrows(ReplyParser.Unparseable.class, () -> ReplyParser.description("Describe.", qa));
    }

    @Test
    void lenientAboutMarkdownCrlfAndMissingSeparatorsStrictAboutStructure() {
        List<Turn> turns = ReplyParser.questionsAndAnswers(
                "**Question:** How many dogs?\r\n**Answer:** Two dogs.\r\n\r\nQuestion 2: Where?\r\nAnswer 2: On a sofa.", 1);
        assertEquals(List.of(Turn.human("<image>\nHow many dogs?"), Turn.gpt("Two dogs."), Turn.human("Where?"),
                Turn.gpt("On a sofa.")), turns);
        List<Turn> cut = ReplyParser.questionsAndAnswers("Question:\nA?\n===\nAnswer:\nB.\n===\nQuestion:\nC?", 1);
        assertEquals(2, cut.size(), "a trailing question cut off by the token limit is dropped");
        assertThrows(ReplyParser.Unparseable.class, () -> ReplyParser.questionsAndAnswers("Sorry, I cannot help.", 1));
        assertThrows(ReplyParser.Unparseable.class, () -> ReplyParser.questionsAndAnswers("Answer:\nYes.", 1));
        assertThrows(ReplyParser.Unparseable.class, () -> ReplyParser.questionsAndAnswers("", 1));
        assertThrows(ReplyParser.Unparseable.class,
                () -> ReplyParser.questionsAndAnswers("Question:\nA?\n===\nQuestion:\nB?\n===\nAnswer:\nC.", 1));
        assertThrows(ReplyParser.Unparseable.class, () -> ReplyParser.description("Describe.", "Too short."));
    }

    @Test
    void theSymbolicContextIsCaptionsThenNormalisedBoxesWithThreeDecimals() {
        ImageIngested image = new ImageIngested(2, "id", "k", "jpeg", 640, 480, List.of("A dog on a sofa.", "A pet."),
                List.of(new BoundingBox("dog", 64, 48, 320, 240, "o1", List.of("brown", "small"), "vg-xywh"),
                        new BoundingBox("couch", 0, 240, 700, 240, "o2", List.of(), "vg-xywh")),
                null, null, "run", List.of(new Region("a dog sleeping", new BoundingBox("dog", 64, 48, 320, 240), "r1")),
                List.of(new Relation("o1", "lying on", "o2", "rel1")), List.of(), List.of(), List.of(), List.of(),
                List.of(), null, null);
        assertEquals("A dog on a sofa.\nA pet.\n\ndog: [0.100, 0.100, 0.600, 0.600]\ncouch: [0.000, 0.500, 1.000, 1.000]",
                SymbolicContext.of(image, false), "LLaVA's layout; a box past the edge is clamped");
        String withGraph = SymbolicContext.of(image, true);
        assertTrue(withGraph.contains("\nAttributes:\ndog [0.100, 0.100, 0.600, 0.600]: brown, small"), withGraph);
        assertTrue(withGraph.contains("\nRelations:\ndog lying on couch"), withGraph);
        assertTrue(withGraph.contains("\nRegions:\na dog sleeping: [0.100, 0.100, 0.600, 0.600]"), withGraph);
    }

    @Test
    void responseTypesFollowLlavasProportionsAndNeverChangeForAnImage() {
        LlavaInstructRecipe recipe = new LlavaInstructRecipe(true);
        Map<ResponseType, Integer> counts = new EnumMap<>(ResponseType.class);
        int n = 15_800;
        for (int i = 0; i < n; i++) {
            String id = Ids.imageId(("image " + i).getBytes(StandardCharsets.UTF_8));
            counts.merge(recipe.typeFor(id), 1, Integer::sum);
            assertEquals(recipe.typeFor(id), recipe.typeFor(id));
        }
        assertEquals(5800, counts.get(ResponseType.CONVERSATION), 200);
        assertEquals(2300, counts.get(ResponseType.DETAIL), 200);
        assertEquals(7700, counts.get(ResponseType.REASONING), 200);
        assertEquals(64, recipe.prompts(ResponseType.CONVERSATION).hash().length());
        assertFalse(recipe.prompts(ResponseType.CONVERSATION).hash().equals(recipe.prompts(ResponseType.DETAIL).hash()));
    }

    @Test
    void anAcceptedSampleIsWrittenBackAsTheReplyItWasParsedFrom() throws Exception {
        for (String type : List.of("conversation", "complex_reasoning")) {
            for (Path reply : replies(type)) {
                List<Turn> turns = ReplyParser.questionsAndAnswers(Files.readString(reply), 1);
                String written = InContextRecipe.reply(ResponseType.CONVERSATION.task(), turns).orElseThrow();
                assertFalse(written.contains(Turn.IMAGE_TOKEN), "no image token in an example: " + written);
                assertEquals(turns, ReplyParser.questionsAndAnswers(written, 1), reply + ": the example parses back");
            }
        }
        List<Turn> detail = ReplyParser.description("Describe the image.", "A long description of a harbour "
                + "with boats, a dock and a bicycle in front of them.");
        assertEquals(detail.get(1).value(), InContextRecipe.reply(ResponseType.DETAIL.task(), detail).orElseThrow());
        assertTrue(InContextRecipe.reply(ResponseType.REASONING.task(), List.of(Turn.human("q"))).isEmpty());
        assertTrue(InContextRecipe.reply(ResponseType.REASONING.task(), List.of(Turn.human("q"), Turn.gpt(" ")))
                .isEmpty(), "an empty answer is no example");
    }

    @Test
    void inContextPromptsHashTheirExamplesAndFallBackToTheSeeds() {
        LlavaInstructRecipe llava = new LlavaInstructRecipe(true);
        InContextRecipe recipe = new InContextRecipe(llava, 2);
        ImageIngested image = new ImageIngested(ImageIngested.SCHEMA_VERSION, "img", "k", "png", 100, 100,
                List.of("A cat on a sofa."), List.of(new BoundingBox("cat", 10, 10, 50, 50)), null, null, null);
        List<InContextRecipe.Example> seeds = recipe.seedExamples(ResponseType.CONVERSATION);
        assertEquals(llava.prompts(ResponseType.CONVERSATION).seeds().size(), seeds.size());
        var one = List.of(new InContextRecipe.Example("s1", "ctx one", "Question:\nQ?\n===\nAnswer:\nA."));
        var other = List.of(new InContextRecipe.Example("s2", "ctx two", "Question:\nQ?\n===\nAnswer:\nB."));
        assertEquals(recipe.promptHash(ResponseType.CONVERSATION, one), recipe.promptHash(ResponseType.CONVERSATION, one));
        assertFalse(recipe.promptHash(ResponseType.CONVERSATION, one).equals(
                recipe.promptHash(ResponseType.CONVERSATION, other)), "different examples, different prompt hash");
        var messages = recipe.messages(ResponseType.CONVERSATION, image, one);
        assertEquals(List.of("system", "user", "assistant", "user"), messages.stream().map(m -> m.role()).toList());
        assertEquals(llava.context(image), messages.get(3).text());
        assertEquals(recipe.exampleSeed("img"), recipe.exampleSeed("img"), "the draw depends on the image id only");
        assertThrows(IllegalArgumentException.class, () -> new InContextRecipe(llava, 0));
        assertEquals("A cat on a sofa.\nA cat sleeps.\n\ncat: 2 objects\nsofa: 1 object",
                InContextRecipe.contextFromGroundTruth(new io.vlitforge.shared.events.GroundTruth(
                        List.of("A cat on a sofa.", "A cat sleeps."), Map.of("sofa", 1, "cat", 2))));
    }
}
