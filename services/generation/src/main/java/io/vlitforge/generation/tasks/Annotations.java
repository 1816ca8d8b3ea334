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

    /**
     * What the views below compute from one image, computed once: task kinds ask the same questions of the
     * same image many times (every absent-object candidate asks "is it mentioned?"). The last image seen by
     * the thread is kept, which is the image being generated from.
     */
    private record Facts(ImageIngested image, Map<String, Integer> counts, Map<String, BoundingBox> unique,
            Map<String, List<BoundingBox>> byObjectId, String text) {
    }

    private static final ThreadLocal<Facts> LAST = new ThreadLocal<>();

    private static Facts facts(ImageIngested image) {
        Facts f = LAST.get();
        if (f != null && f.image() == image) {
            return f;
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (BoundingBox box : image.boxes()) {
            counts.merge(name(box.category()), 1, Integer::sum);
        }
        Map<String, BoundingBox> unique = new TreeMap<>();
        Map<String, List<BoundingBox>> byId = new LinkedHashMap<>();
        StringBuilder text = new StringBuilder(" ");
        for (BoundingBox box : image.boxes()) {
            if (counts.get(name(box.category())) == 1) {
                unique.put(name(box.category()), box);
            }
            if (box.objectId() != null) {
                byId.computeIfAbsent(box.objectId(), k -> new ArrayList<>()).add(box);
            }
            text.append(' ').append(name(box.category())).append("  ");
        }
        for (String caption : image.captions()) {
            text.append(' ').append(caption.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", " ")).append("  ");
        }
        f = new Facts(image, java.util.Collections.unmodifiableMap(counts), java.util.Collections.unmodifiableMap(unique),
                java.util.Collections.unmodifiableMap(byId), text.toString());
        LAST.set(f);
        return f;
    }

    /** Number of boxes per category, sorted by category. */
    public static Map<String, Integer> counts(ImageIngested image) {
        return facts(image).counts();
    }

    /** The boxes whose category occurs exactly once, by category: "the dog" then names one object. */
    public static Map<String, BoundingBox> unique(ImageIngested image) {
        return facts(image).unique();
    }

    /** Boxes by object id (Visual Genome objects, Flickr30k entities), in order of appearance. */
    public static Map<String, List<BoundingBox>> byObjectId(ImageIngested image) {
        return facts(image).byObjectId();
    }

    /** Whether {@code word} is a category of a box or appears as a word in a caption (so it is not absent). */
    public static boolean mentioned(ImageIngested image, String word) {
        String w = name(word);
        Facts f = facts(image);
        return f.counts().containsKey(w) || f.text().contains(" " + w + " ") || f.text().contains(" " + Text.noun(w, 2) + " ");
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
