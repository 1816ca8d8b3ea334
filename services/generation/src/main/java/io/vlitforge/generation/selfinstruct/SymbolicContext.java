package io.vlitforge.generation.selfinstruct;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An image as text for a model that cannot see it, in LLaVA's layout: the captions, one per line, a
 * blank line, then one {@code category: [x1, y1, x2, y2]} line per box, the corners normalised to the
 * image size with three decimals. With the scene graph on, Visual Genome's attributes, relations and
 * region descriptions follow in their own sections. The text is deterministic, so the same image
 * always makes the same request (and hits the response cache).
 */
public final class SymbolicContext {

    private SymbolicContext() {
    }

    public static String of(ImageIngested image, boolean sceneGraph) {
        StringBuilder text = new StringBuilder();
        for (String caption : image.captions()) {
            if (caption != null && !caption.isBlank()) {
                text.append(caption.strip()).append('\n');
            }
        }
        if (!image.boxes().isEmpty()) {
            text.append('\n');
            for (BoundingBox box : image.boxes()) {
                text.append(box.category()).append(": ").append(normalised(box, image.width(), image.height()))
                        .append('\n');
            }
        }
        if (sceneGraph) {
            appendSceneGraph(image, text);
        }
        return text.toString().strip();
    }

    /** {@code [x1, y1, x2, y2]} as fractions of the image, three decimals, clamped to [0, 1]. */
    public static String normalised(BoundingBox box, int width, int height) {
        double w = Math.max(1, width);
        double h = Math.max(1, height);
        return String.format(Locale.ROOT, "[%.3f, %.3f, %.3f, %.3f]", clamp(box.x() / w), clamp(box.y() / h),
                clamp((box.x() + box.width()) / w), clamp((box.y() + box.height()) / h));
    }

    private static void appendSceneGraph(ImageIngested image, StringBuilder text) {
        Map<String, String> names = new HashMap<>();
        StringBuilder attributes = new StringBuilder();
        for (BoundingBox box : image.boxes()) {
            if (box.objectId() != null) {
                names.put(box.objectId(), box.category());
            }
            if (!box.attributes().isEmpty()) {
                attributes.append(box.category()).append(' ').append(normalised(box, image.width(), image.height()))
                        .append(": ").append(String.join(", ", box.attributes())).append('\n');
            }
        }
        if (attributes.length() > 0) {
            text.append("\nAttributes:\n").append(attributes);
        }
        List<Relation> relations = image.relations();
        if (!relations.isEmpty()) {
            text.append("\nRelations:\n");
            for (Relation r : relations) {
                text.append(names.getOrDefault(r.subjectId(), "object")).append(' ').append(r.predicate()).append(' ')
                        .append(names.getOrDefault(r.objectId(), "object")).append('\n');
            }
        }
        List<Region> regions = image.regions();
        if (!regions.isEmpty()) {
            text.append("\nRegions:\n");
            for (Region region : regions) {
                text.append(region.description());
                if (region.box() != null) {
                    text.append(": ").append(normalised(region.box(), image.width(), image.height()));
                }
                text.append('\n');
            }
        }
    }

    private static double clamp(double v) {
        return Math.max(0.0, Math.min(1.0, v));
    }
}
