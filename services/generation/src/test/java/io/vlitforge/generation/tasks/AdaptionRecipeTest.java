package io.vlitforge.generation.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Pure unit test of the adaption recipe: nothing external. */
class AdaptionRecipeTest {

    static ImageIngested image(List<String> captions, List<BoundingBox> boxes) {
        return new ImageIngested(1, "f".repeat(64), "images/ff/ff/" + "f".repeat(64) + ".jpeg", "jpeg", 640, 480,
                captions, boxes, new Licence("CC BY 2.0", "http://creativecommons.org/licenses/by/2.0/"),
                new SourceRef("coco", "train2017", "790", "000000000790.jpg"), "run-1");
    }

    private final AdaptionRecipe recipe = AdaptionRecipe.cocoBasic();

    @Test
    void threeTasksInLlavaShapeAnsweredOnlyFromAnnotations() {
        ImageIngested image = image(List.of("a man riding a horse", "A person on a horse."),
                List.of(new BoundingBox("person", 1, 1, 10, 10), new BoundingBox("horse", 2, 2, 20, 20),
                        new BoundingBox("person", 30, 30, 10, 10)));
        Map<String, Sample> byTask = recipe.generate(image, "t").stream()
                .collect(Collectors.toMap(Sample::task, Function.identity()));
        assertEquals(List.of("brief_caption", "detailed_description", "object_counting"),
                byTask.keySet().stream().sorted().toList());
        for (Sample s : byTask.values()) {
            assertEquals(2, s.conversations().size());
            assertEquals(Turn.HUMAN, s.conversations().get(0).from());
            assertTrue(s.conversations().get(0).value().startsWith("<image>\n"));
            assertEquals(Turn.GPT, s.conversations().get(1).from());
            assertEquals(Strategy.AA, s.lineage().strategy());
            assertEquals("CC BY 2.0", s.licence().name());
            assertEquals(image.imageKey(), s.imageKey());
        }
        String caption = byTask.get("brief_caption").conversations().get(1).value();
        assertTrue(caption.equals("A man riding a horse.") || caption.equals("A person on a horse."), caption);
        String detail = byTask.get("detailed_description").conversations().get(1).value();
        assertTrue(detail.contains("A man riding a horse.") && detail.contains("A person on a horse."), detail);
        assertTrue(detail.contains("one horse and two people"), detail);
        String question = byTask.get("object_counting").conversations().get(0).value();
        String answer = byTask.get("object_counting").conversations().get(1).value();
        assertTrue(question.contains("people") && answer.equals("There are two people.")
                || question.contains("horses") && answer.equals("There is one horse."), question + " / " + answer);
    }

    @Test
    void sameImageGivesSameIdsAndTemplates() {
        ImageIngested image = image(List.of("a", "b"), List.of(new BoundingBox("cat", 0, 0, 1, 1)));
        List<Sample> first = recipe.generate(image, "t1");
        List<Sample> second = recipe.generate(image, "t2");
        assertEquals(first.stream().map(Sample::id).toList(), second.stream().map(Sample::id).toList());
        assertEquals(first.stream().map(Sample::conversations).toList(),
                second.stream().map(Sample::conversations).toList());
    }

    @Test
    void tasksWithoutTheirAnnotationsProduceNothing() {
        assertEquals(List.of("object_counting"), recipe.generate(image(List.of(),
                List.of(new BoundingBox("dog", 0, 0, 1, 1))), "t").stream().map(Sample::task).toList());
        assertEquals(List.of("brief_caption"), recipe.generate(image(List.of("one caption"), List.of()), "t")
                .stream().map(Sample::task).toList());
    }

    @Test
    void pluralsReadNaturally() {
        assertEquals("wine glasses", Text.noun("wine glass", 3));
        assertEquals("people", Text.noun("person", 2));
        assertEquals("buses", Text.noun("bus", 2));
        assertEquals("teddy bears", Text.noun("teddy bear", 2));
        assertEquals("skis", Text.noun("skis", 2));
        assertEquals("A dog.", Text.sentence("  a   dog "));
    }
}
