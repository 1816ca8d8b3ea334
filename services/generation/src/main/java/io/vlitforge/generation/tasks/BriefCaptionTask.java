package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Turn;
import java.util.List;
import java.util.Optional;

/** A short description: one of the image's human-written captions, chosen by the seed. */
public final class BriefCaptionTask implements AdaptionTask {

    private static final List<String> TEMPLATES = List.of(
            "Describe the image concisely.",
            "Provide a brief description of the given image.",
            "Offer a succinct explanation of the picture presented.",
            "Summarize the visual content of the image.",
            "Give a short and clear explanation of the subsequent image.");

    @Override
    public String name() {
        return "brief_caption";
    }

    @Override
    public String category() {
        return "caption";
    }

    @Override
    public List<String> templates() {
        return TEMPLATES;
    }

    @Override
    public Optional<List<Turn>> conversation(ImageIngested image, String template, long seed) {
        if (image.captions().isEmpty()) {
            return Optional.empty();
        }
        String caption = Text.sentence(image.captions().get((int) (seed % image.captions().size())));
        return Optional.of(List.of(AdaptionTask.firstHumanTurn(template), Turn.gpt(caption)));
    }
}
