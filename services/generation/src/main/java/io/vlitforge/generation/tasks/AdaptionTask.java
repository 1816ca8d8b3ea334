package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Turn;
import java.util.List;
import java.util.Optional;

/**
 * One annotation-adaption task: a name, its instruction templates, and the rule that turns an image's
 * annotations into a conversation. A task that has nothing to say about an image (no captions, no
 * boxes) returns empty rather than inventing content.
 */
public interface AdaptionTask {

    /** Stable task name, e.g. {@code brief_caption}; part of every sample id. */
    String name();

    /** Coarse grouping used for balance reports, e.g. {@code caption}, {@code counting}. */
    String category();

    /** The instruction templates; a sample's template id is {@code name() + "/" + index}. */
    List<String> templates();

    Optional<List<Turn>> conversation(ImageIngested image, String template, long seed);

    /** The first human turn in LLaVA's shape: the image token on its own line, then the instruction. */
    static Turn firstHumanTurn(String instruction) {
        return Turn.human(Turn.IMAGE_TOKEN + "\n" + instruction);
    }
}
