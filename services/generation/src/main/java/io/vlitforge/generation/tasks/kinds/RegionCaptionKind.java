package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.ReferringExpression;
import io.vlitforge.shared.events.Region;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Box to text: the instruction gives a box in the recipe's convention, the answer says what is there.
 * {@code source: region} answers with the Visual Genome region description, {@code refexp} with a
 * referring expression of the box (RefCOCO's referring-expression generation), {@code object} with the
 * box's category.
 */
public final class RegionCaptionKind implements TaskKind {

    @Override
    public String name() {
        return "region_caption";
    }

    @Override
    public Set<String> slots() {
        return Set.of("box");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        switch (spec.param("source", "region")) {
            case "region" -> {
                for (Region r : image.regions()) {
                    if (r.box() != null && r.description() != null && !r.description().isBlank()) {
                        items.add(TaskItem.of("region:" + r.sourceId(), Text.sentence(r.description()), "box",
                                context.box(image, r.box())));
                    }
                }
            }
            case "refexp" -> {
                for (ReferringExpression r : image.referringExpressions()) {
                    if (r.box() != null && r.text() != null && !r.text().isBlank()) {
                        items.add(TaskItem.of("ref:" + r.sourceId(), r.text().strip(), "box", context.box(image, r.box())));
                    }
                }
            }
            case "object" -> {
                int i = 0;
                for (BoundingBox box : image.boxes()) {
                    String key = "box:" + (box.objectId() != null ? box.objectId() : Integer.toString(i));
                    items.add(TaskItem.of(key, Annotations.name(box.category()), "box", context.box(image, box)));
                    i++;
                }
            }
            default -> throw new IllegalArgumentException("region source '" + spec.param("source", "") + "' unknown");
        }
        return items;
    }
}
