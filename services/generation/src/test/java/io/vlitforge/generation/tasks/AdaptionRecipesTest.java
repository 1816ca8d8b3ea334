package io.vlitforge.generation.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.json.EventJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pure unit test of recipes: loading, determinism, merging, prompts, prefixes, caps; nothing external. */
class AdaptionRecipesTest {

    private final TaskLibrary library = TaskLibrary.shipped();

    static ImageIngested vqaImage(int questions) {
        List<QaPair> qas = new ArrayList<>();
        for (int i = 0; i < questions; i++) {
            qas.add(new QaPair("What number is on sign " + i + "?", Integer.toString(i), List.of(Integer.toString(i)),
                    null, "number", List.of(), null, "vqa", "q" + i));
        }
        return new ImageIngested(2, "a".repeat(64), "images/aa/aa/" + "a".repeat(64) + ".jpeg", "jpeg", 640, 480,
                List.of("A dog lies on a couch next to a cat.", "Two pets resting."),
                List.of(new BoundingBox("dog", 10, 20, 200, 100), new BoundingBox("cat", 300, 40, 100, 80),
                        new BoundingBox("couch", 0, 0, 640, 300)),
                new Licence("CC BY 2.0", null), new SourceRef("vqa", "train2014", "458752", "x.jpg"), "run-1",
                List.of(), List.of(), qas, List.of(), List.of(), List.of(), List.of(), null, null);
    }

    @Test
    void everyShippedRecipeLoadsAndTheSameInputGivesByteIdenticalSamples() {
        for (String name : AdaptionRecipe.shippedNames()) {
            AdaptionRecipe first = AdaptionRecipe.shipped(name, library);
            AdaptionRecipe second = AdaptionRecipe.shipped(name, TaskLibrary.shipped());
            assertEquals(first.recipe(), second.recipe());
            List<String> a = first.generate(vqaImage(12), "t").stream().map(EventJson::write).toList();
            List<String> b = second.generate(vqaImage(12), "t").stream().map(EventJson::write).toList();
            assertEquals(a, b, name);
        }
    }

    @Test
    void llava15MergesVqaPairsIntoMultiTurnConversationsWithItsPromptAndOneImageToken() {
        AdaptionRecipe recipe = AdaptionRecipe.shipped("llava-1.5-academic", library);
        List<Sample> vqa = recipe.generate(vqaImage(12), "t").stream().filter(s -> s.task().equals("vqa_short")).toList();
        assertEquals(2, vqa.size(), "12 questions, at most 10 turns a conversation");
        int pairs = 0;
        for (Sample s : vqa) {
            List<Turn> turns = s.conversations();
            assertTrue(turns.get(0).value().startsWith("<image>\n"));
            long tokens = turns.stream().mapToLong(t -> t.value().split("<image>", -1).length - 1).sum();
            assertEquals(1, tokens);
            for (int i = 0; i < turns.size(); i += 2) {
                assertEquals("human", turns.get(i).from());
                assertTrue(turns.get(i).value().endsWith("\nAnswer the question using a single word or phrase."));
                String question = turns.get(i).value();
                String n = question.replaceAll("(?s).*sign (\\d+)\\?.*", "$1");
                assertEquals(n, turns.get(i + 1).value(), "the answer is the annotation's");
                pairs++;
            }
            assertEquals("llava-1.5-square", s.lineage().boxConvention());
        }
        assertEquals(12, pairs);
    }

    @Test
    void miniGptV2PrefixesTheTaskIdentifierAndQwenWrapsTheReferredPhrase() {
        AdaptionRecipe minigpt = AdaptionRecipe.shipped("minigpt-v2-tasks", library);
        Sample vqa = minigpt.generate(vqaImage(1), "t").stream().filter(s -> s.task().equals("vqa_short")).findFirst()
                .orElseThrow();
        assertTrue(vqa.conversations().get(0).value().startsWith("<image>\n[vqa] "), vqa.conversations().get(0).value());
        AdaptionRecipe qwen = AdaptionRecipe.shipped("qwen-vl-grounding", library);
        Sample locate = qwen.generate(vqaImage(0), "t").stream().filter(s -> s.task().equals("object_localization"))
                .filter(s -> s.conversations().get(0).value().contains("the dog")).findFirst().orElseThrow();
        // dog box 10,20 200x100 on 640x480 -> 0..1000 corners
        assertEquals("<ref>the dog</ref><box>(16,42),(328,250)</box>", locate.conversations().get(1).value());
    }

    @Test
    void weightsCapsAndUserRecipesComeFromTheRecipeFileAndChangeTheHash(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mine.yaml"), """
                id: mine
                version: "1"
                box-convention: pixels
                max-samples-per-image: 5
                tasks:
                  - {task: vqa_short, max-per-image: 0}
                """);
        AdaptionRecipe mine = AdaptionRecipe.load("mine", library, Optional.of(dir));
        assertEquals(5, mine.generate(vqaImage(12), "t").size());
        Files.writeString(dir.resolve("half.yaml"), """
                id: half
                tasks:
                  - {task: vqa_short, max-per-image: 0, weight: 0.5}
                """);
        int kept = AdaptionRecipe.load("half", library, Optional.of(dir)).generate(vqaImage(200), "t").size();
        assertTrue(kept > 70 && kept < 130, "about half of 200 kept: " + kept);
        Files.writeString(dir.resolve("mine.yaml"), Files.readString(dir.resolve("mine.yaml")).replace("5", "4"));
        assertNotEquals(mine.recipe().hash(), AdaptionRecipe.load("mine", library, Optional.of(dir)).recipe().hash());
        assertThrows(IllegalArgumentException.class, () -> AdaptionRecipe.load("../etc/passwd", library, Optional.of(dir)));
        IllegalArgumentException unknownTask = assertThrows(IllegalArgumentException.class,
                () -> AdaptionRecipe.parse("id: x\ntasks: [{task: mind_reading}]", "x.yaml", library));
        assertTrue(unknownTask.getMessage().contains("no task 'mind_reading'"));
        assertFalse(AdaptionRecipe.shippedNames().isEmpty());
    }
}
