package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.ReferringExpression;
import io.vlitforge.shared.events.Region;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Text to box (referring expression comprehension): the answer is the referred box in the recipe's box
 * convention. {@code source: refexp} takes RefCOCO-style expressions, {@code region} Visual Genome region
 * descriptions, {@code object} categories with exactly one box ("the dog" is then unambiguous), and
 * {@code phrase} Flickr30k Entities phrases whose entity has boxes (several boxes are listed in order). In
 * Qwen-VL's convention the answer repeats the phrase first: {@code <ref>the man</ref><box>(x1,y1),(x2,y2)</box>}.
 */
public final class ReferringKind implements TaskKind {

    @Override
    public String name() {
        return "referring";
    }

    @Override
    public Set<String> slots() {
        return Set.of("expression", "caption");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        boolean qwen = io.vlitforge.shared.boxes.BoxText.QWEN_VL.equals(context.boxConvention());
        switch (spec.param("source", "refexp")) {
            case "refexp" -> {
                for (ReferringExpression r : image.referringExpressions()) {
                    if (r.box() != null && r.text() != null && !r.text().isBlank()) {
                        items.add(TaskItem.of("ref:" + r.sourceId(), context.box(image, r.box()), "expression",
                                r.text().strip()));
                    }
                }
            }
            case "region" -> {
                for (Region r : image.regions()) {
                    if (r.box() != null && r.description() != null && !r.description().isBlank()) {
                        items.add(TaskItem.of("region:" + r.sourceId(), context.box(image, r.box()), "expression",
                                r.description().strip()));
                    }
                }
            }
            case "object" -> Annotations.unique(image).forEach((category, box) -> items.add(
                    TaskItem.of("object:" + category, context.box(image, box), "expression", "the " + category)));
            case "phrase" -> {
                Map<String, List<BoundingBox>> byEntity = Annotations.byObjectId(image);
                Set<String> seen = new LinkedHashSet<>();
                for (GroundedPhrase p : image.phrases()) {
                    List<BoundingBox> boxes = byEntity.get(p.entityId());
                    if (boxes == null || p.captionIndex() >= image.captions().size() || !seen.add(p.entityId())) {
                        continue;
                    }
                    List<String> written = boxes.stream().map(b -> context.box(image, b)).toList();
                    items.add(TaskItem.of("entity:" + p.entityId(), String.join(", ", written), "expression",
                            p.phrase().strip(), "caption", image.captions().get(p.captionIndex()).strip()));
                }
            }
            default -> throw new IllegalArgumentException("referring source '" + spec.param("source", "") + "' unknown");
        }
        if (qwen) {
            // Qwen-VL answers a grounding request by repeating the phrase in <ref> before its boxes.
            return items.stream().map(i -> new TaskItem(i.key(), i.slots(),
                    "<ref>" + i.slots().get("expression") + "</ref>" + i.answer().replace(", ", ""))).toList();
        }
        return items;
    }
}
