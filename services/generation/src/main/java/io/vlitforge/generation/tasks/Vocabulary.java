package io.vlitforge.generation.tasks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The word lists task kinds draw negatives and distractors from, read from versioned resources under
 * {@code tasks/vocabulary/}: object categories by frequency (POPE's popular negatives), scenes of objects
 * that occur together (adversarial negatives, hard negative captions) and colour words.
 */
public final class Vocabulary {

    private static final Vocabulary DEFAULT = new Vocabulary();

    private final List<String> objectsByFrequency;
    private final Map<String, List<String>> scenes;
    private final List<String> colours;
    private final String hash;

    private Vocabulary() {
        objectsByFrequency = TaskLibrary.resourceLines("tasks/vocabulary/coco-by-frequency.txt");
        colours = TaskLibrary.resourceLines("tasks/vocabulary/colours.txt");
        scenes = new LinkedHashMap<>();
        for (String line : TaskLibrary.resourceLines("tasks/vocabulary/co-occurrence.txt")) {
            int colon = line.indexOf(':');
            scenes.put(line.substring(0, colon).strip(),
                    Arrays.stream(line.substring(colon + 1).split(",")).map(String::strip).toList());
        }
        hash = io.vlitforge.shared.ids.Ids.sha256Hex(objectsByFrequency + "\n" + scenes + "\n" + colours);
    }

    /** A hash of every list, so a recipe's hash changes when the negatives it draws could. */
    public String hash() {
        return hash;
    }

    public static Vocabulary get() {
        return DEFAULT;
    }

    public List<String> objectsByFrequency() {
        return objectsByFrequency;
    }

    public List<String> colours() {
        return colours;
    }

    /** Objects sharing a scene with {@code object}, most shared scenes first (ties in file order). */
    public Map<String, Integer> coOccurring(List<String> present) {
        Map<String, Integer> score = new LinkedHashMap<>();
        for (List<String> scene : scenes.values()) {
            long shared = present.stream().filter(scene::contains).count();
            if (shared > 0) {
                for (String o : scene) {
                    score.merge(o, (int) shared, Integer::sum);
                }
            }
        }
        return score;
    }
}
