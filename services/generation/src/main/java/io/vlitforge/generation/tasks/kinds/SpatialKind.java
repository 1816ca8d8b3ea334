package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spatial relations computed from boxes, between objects named unambiguously (categories with one box).
 * {@code relation: left_right} and {@code above_below} are yes/no questions, asked only when the boxes do not
 * overlap along that axis (so the answer is not a matter of opinion); {@code side} places one object in the
 * left, middle or right third of the image by its centre; {@code relative} says where one object is
 * relative to another in both axes; {@code size} asks which of two objects takes more of the image, when one
 * box is at least {@code min-ratio} (default 1.5) times the other's area.
 */
public final class SpatialKind implements TaskKind {

    @Override
    public String name() {
        return "spatial";
    }

    @Override
    public Set<String> slots() {
        return Set.of("first", "second", "object");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        Map<String, BoundingBox> unique = Annotations.unique(image);
        List<TaskItem> items = new ArrayList<>();
        String relation = spec.param("relation", "left_right");
        if ("side".equals(relation)) {
            if (image.width() <= 0) {
                return items;
            }
            unique.forEach((object, box) -> {
                double cx = Annotations.centerX(box) / image.width();
                String where = cx < 1.0 / 3 ? "on the left side" : cx > 2.0 / 3 ? "on the right side" : "in the middle";
                items.add(TaskItem.of("side:" + object, "The " + object + " is " + where + " of the image.", "object",
                        object));
            });
            return items;
        }
        List<String> names = new ArrayList<>(unique.keySet());
        for (int i = 0; i < names.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                if (i == j) {
                    continue;
                }
                String a = names.get(i);
                String b = names.get(j);
                BoundingBox ba = unique.get(a);
                BoundingBox bb = unique.get(b);
                boolean leftOf = ba.x() + ba.width() <= bb.x();
                boolean rightOf = bb.x() + bb.width() <= ba.x();
                boolean above = ba.y() + ba.height() <= bb.y();
                boolean below = bb.y() + bb.height() <= ba.y();
                String key = a + "|" + b;
                switch (relation) {
                    case "left_right" -> {
                        if (leftOf || rightOf) {
                            items.add(TaskItem.of("lr:" + key, leftOf ? "Yes" : "No", "first", a, "second", b));
                        }
                    }
                    case "above_below" -> {
                        if (above || below) {
                            items.add(TaskItem.of("ab:" + key, above ? "Yes" : "No", "first", a, "second", b));
                        }
                    }
                    case "relative" -> {
                        List<String> parts = new ArrayList<>();
                        if (leftOf || rightOf) {
                            parts.add(leftOf ? "to the left of" : "to the right of");
                        }
                        if (above || below) {
                            parts.add(above ? "above" : "below");
                        }
                        if (!parts.isEmpty() && i < j) {
                            items.add(TaskItem.of("rel:" + key, "The " + a + " is " + String.join(" and ", parts)
                                    + " the " + b + ".", "first", a, "second", b));
                        }
                    }
                    case "size" -> {
                        double ratio = spec.intParam("min-ratio-percent", 150) / 100.0;
                        double areaA = Annotations.area(ba);
                        double areaB = Annotations.area(bb);
                        if (i < j && areaB > 0 && areaA > 0 && (areaA >= ratio * areaB || areaB >= ratio * areaA)) {
                            String larger = areaA > areaB ? a : b;
                            items.add(TaskItem.of("size:" + key, "The " + larger + " appears larger in the image.",
                                    "first", a, "second", b));
                        }
                    }
                    default -> throw new IllegalArgumentException("spatial relation '" + relation + "' unknown");
                }
            }
        }
        return items;
    }
}
