package io.vlitforge.shared.events;

import java.util.List;
import java.util.Map;

/**
 * What is known to be in the image, carried on a sample so that filters can check a response against it
 * without asking another service: the human captions and the number of boxes per object name (box
 * categories, plus VG-style names where a source has them).
 */
public record GroundTruth(List<String> captions, Map<String, Integer> objectCounts) {

    public GroundTruth {
        captions = captions == null ? List.of() : List.copyOf(captions);
        objectCounts = objectCounts == null ? Map.of() : Map.copyOf(objectCounts);
    }

    /** Captions plus box counts by category. */
    public static GroundTruth of(List<String> captions, List<BoundingBox> boxes) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        if (boxes != null) {
            for (BoundingBox b : boxes) {
                if (b.category() != null) {
                    counts.merge(b.category(), 1, Integer::sum);
                }
            }
        }
        return new GroundTruth(captions, counts);
    }
}
