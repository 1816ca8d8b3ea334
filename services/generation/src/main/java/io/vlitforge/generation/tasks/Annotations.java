package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Views of an image's annotations that several task kinds need: counts, unique objects, objects by id. */
public final class Annotations {

    private Annotations() {
    }

    /** A category as written in questions: lower case, underscores as spaces. */
    public static String name(String category) {
        return category == null ? "" : category.strip().replace('_', ' ').toLowerCase(Locale.ROOT);
    }

    /** Number of boxes per category, sorted by category. */
    public static Map<String, Integer> counts(ImageIngested image) {
        Map<String, Integer> counts = new TreeMap<>();
        for (BoundingBox box : image.boxes()) {
            counts.merge(name(box.category()), 1, Integer::sum);
        }
        return counts;
    }

    /** The boxes whose category occurs exactly once, by category: "the dog" then names one object. */
    public static Map<String, BoundingBox> unique(ImageIngested image) {
        Map<String, Integer> counts = counts(image);
        Map<String, BoundingBox> unique = new TreeMap<>();
        for (BoundingBox box : image.boxes()) {
            if (counts.get(name(box.category())) == 1) {
                unique.put(name(box.category()), box);
            }
        }
        return unique;
    }

    /** Boxes by object id (Visual Genome objects, Flickr30k entities), in order of appearance. */
    public static Map<String, List<BoundingBox>> byObjectId(ImageIngested image) {
        Map<String, List<BoundingBox>> byId = new LinkedHashMap<>();
        for (BoundingBox box : image.boxes()) {
            if (box.objectId() != null) {
                byId.computeIfAbsent(box.objectId(), k -> new ArrayList<>()).add(box);
            }
        }
        return byId;
    }

    /** Whether {@code word} is a category of a box or appears as a word in a caption (so it is not absent). */
    public static boolean mentioned(ImageIngested image, String word) {
        String w = name(word);
        if (counts(image).containsKey(w)) {
            return true;
        }
        String plural = Text.noun(w, 2);
        for (String caption : image.captions()) {
            String c = " " + caption.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", " ") + " ";
            if (c.contains(" " + w + " ") || c.contains(" " + plural + " ")) {
                return true;
            }
        }
        for (BoundingBox box : image.boxes()) {
            String c = " " + name(box.category()) + " ";
            if (c.contains(" " + w + " ") || c.contains(" " + plural + " ")) {
                return true;
            }
        }
        return false;
    }

    public static double area(BoundingBox box) {
        return Math.max(0, box.width()) * Math.max(0, box.height());
    }

    public static double centerX(BoundingBox box) {
        return box.x() + box.width() / 2;
    }

    public static double centerY(BoundingBox box) {
        return box.y() + box.height() / 2;
    }
}
