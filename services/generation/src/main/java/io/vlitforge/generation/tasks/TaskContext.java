package io.vlitforge.generation.tasks;

import io.vlitforge.shared.boxes.BoxText;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.ids.Ids;
import java.util.SplittableRandom;

/**
 * What a task kind needs besides the image: the box convention the recipe writes boxes in, and seeded
 * randomness keyed by the recipe, image and task, so choices are repeatable.
 */
public record TaskContext(String boxConvention, long recipeSeed, String imageId, String task) {

    /** A box of {@code image} written in the recipe's convention. */
    public String box(ImageIngested image, BoundingBox box) {
        return BoxText.format(boxConvention, box.x(), box.y(), box.width(), box.height(), image.width(), image.height());
    }

    /** Randomness for one item: the same arguments give the same sequence. */
    public SplittableRandom random(String key) {
        return new SplittableRandom(Ids.seedOf(Long.toString(recipeSeed), imageId, task, key));
    }
}
