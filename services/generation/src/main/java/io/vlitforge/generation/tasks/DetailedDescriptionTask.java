package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Turn;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A detailed description assembled only from what annotators wrote and drew: every distinct caption,
 * then an inventory of the boxed objects. Nothing is added that the annotations do not say.
 */
public final class DetailedDescriptionTask implements AdaptionTask {

    private static final List<String> TEMPLATES = List.of(
            "Describe the following image in detail.",
            "Provide a detailed description of the given image.",
            "Give an elaborate explanation of the image you see.",
            "Share a comprehensive rundown of the presented image.",
            "Explain the various aspects of the image before you.");

    @Override
    public String name() {
        return "detailed_description";
    }

    @Override
    public String category() {
        return "description";
    }

    @Override
    public List<String> templates() {
        return TEMPLATES;
    }

    @Override
    public Optional<List<Turn>> conversation(ImageIngested image, String template, long seed) {
        if (image.captions().size() < 2) {
            return Optional.empty();
        }
        Set<String> sentences = new LinkedHashSet<>();
        List<String> captions = new ArrayList<>(image.captions());
        int start = (int) (seed % captions.size());
        for (int i = 0; i < captions.size(); i++) {
            sentences.add(Text.sentence(captions.get((start + i) % captions.size())));
        }
        StringBuilder answer = new StringBuilder(String.join(" ", sentences));
        if (!image.boxes().isEmpty()) {
            Map<String, Integer> counts = new TreeMap<>();
            for (BoundingBox box : image.boxes()) {
                counts.merge(box.category(), 1, Integer::sum);
            }
            List<String> parts = new ArrayList<>();
            counts.forEach((category, n) -> parts.add(Text.number(n) + " " + Text.noun(category, n)));
            answer.append(" The annotated objects in the scene are ").append(Text.list(parts)).append('.');
        }
        return Optional.of(List.of(AdaptionTask.firstHumanTurn(template), Turn.gpt(answer.toString())));
    }
}
