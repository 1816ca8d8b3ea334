package io.vlitforge.shared.events;

import java.util.List;
import java.util.Map;

/**
 * What is known to be in the image, carried on a sample so that filters can check a response against it
 * without asking another service: the human captions and the number of boxes per object name (box
 * categories, plus VG-style names where a source has them), and the image's 64-bit perceptual hash (dHash,
 * 16 hex digits, or null when ingestion could not compute one) so that near-duplicate pictures can be
 * found without the pixels.
 */
public record GroundTruth(List<String> captions, Map<String, Integer> objectCounts, String perceptualHash) {

    public GroundTruth {
        captions = captions == null ? List.of() : List.copyOf(captions);
        objectCounts = objectCounts == null ? Map.of() : Map.copyOf(objectCounts);
    }

    /** Captions and object counts without a perceptual hash (the shape before the hash was carried). */
    public GroundTruth(List<String> captions, Map<String, Integer> objectCounts) {
        this(captions, objectCounts, null);
    }

    /** Captions plus box counts by category, without a perceptual hash. */
    public static GroundTruth of(List<String> captions, List<BoundingBox> boxes) {
        return of(captions, boxes, null);
    }

    /** Captions plus box counts by category, with the image's perceptual hash. */
    public static GroundTruth of(List<String> captions, List<BoundingBox> boxes, String perceptualHash) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        if (boxes != null) {
            for (BoundingBox b : boxes) {
                if (b.category() != null) {
                    counts.merge(b.category(), 1, Integer::sum);
                }
            }
        }
        return new GroundTruth(captions, counts, perceptualHash);
    }
}
