package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A counting question answered from the boxes: the seed picks one of the annotated categories and the
 * answer is the exact number of its boxes. Crowd regions are not in the events, so counts are of
 * individually boxed objects.
 */
public final class ObjectCountingTask implements AdaptionTask {

    private static final List<String> TEMPLATES = List.of(
            "How many {objects} are there in the image?",
            "Count the {objects} in this picture.",
            "What is the number of {objects} visible in the image?",
            "How many {objects} can you see?");

    @Override
    public String name() {
        return "object_counting";
    }

    @Override
    public String category() {
        return "counting";
    }

    @Override
    public List<String> templates() {
        return TEMPLATES;
    }

    @Override
    public Optional<List<Turn>> conversation(ImageIngested image, String template, long seed) {
        if (image.boxes().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (BoundingBox box : image.boxes()) {
            counts.merge(box.category(), 1, Integer::sum);
        }
        List<String> categories = new ArrayList<>(counts.keySet());
        String category = categories.get((int) (seed % categories.size()));
        int n = counts.get(category);
        String question = template.replace("{objects}", Text.noun(category, 2));
        String answer = (n == 1 ? "There is " : "There are ") + Text.number(n) + " " + Text.noun(category, n) + ".";
        return Optional.of(List.of(AdaptionTask.firstHumanTurn(question), Turn.gpt(answer)));
    }
}
