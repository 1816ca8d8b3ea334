package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.generation.tasks.Vocabulary;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Yes/no questions about an object's presence, POPE style. {@code polarity: positive} asks about each boxed
 * category (yes); {@code negative} asks about absent objects (no), sampled by {@code negatives}:
 * {@code random} (any absent category), {@code popular} (the most frequent categories absent from the image)
 * or {@code adversarial} (absent objects that share a scene with present ones). An object counts as present
 * if it is a box category or a word of a caption, so a negative is never something the annotators saw.
 */
public final class ExistenceKind implements TaskKind {

    @Override
    public String name() {
        return "existence";
    }

    @Override
    public Set<String> slots() {
        return Set.of("object");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        boolean sentence = "sentence".equals(spec.param("answer", "short"));
        List<TaskItem> items = new ArrayList<>();
        List<String> present = new ArrayList<>(Annotations.counts(image).keySet());
        if (present.isEmpty()) {
            return items;
        }
        if ("positive".equals(spec.param("polarity", "positive"))) {
            for (String object : present) {
                int n = Annotations.counts(image).get(object);
                String answer = sentence ? "Yes, there " + (n == 1 ? "is " + Text.article(object) : "are " + Text.number(n)
                        + " " + Text.noun(object, n)) + " in the image." : "Yes";
                items.add(TaskItem.of("present:" + object, answer, "object", object));
            }
            return items;
        }
        List<String> absent = Vocabulary.get().objectsByFrequency().stream()
                .filter(o -> !Annotations.mentioned(image, o)).toList();
        int n = spec.intParam("count", 3);
        List<String> negatives = switch (spec.param("negatives", "random")) {
            case "random" -> Choices.pick(absent, n, context.random("negatives"));
            case "popular" -> absent.subList(0, Math.min(n, absent.size()));
            case "adversarial" -> {
                Map<String, Integer> score = Vocabulary.get().coOccurring(present);
                yield absent.stream().filter(score::containsKey)
                        .sorted(Comparator.comparing((String o) -> -score.get(o)).thenComparing(absent::indexOf))
                        .limit(n).toList();
            }
            default -> throw new IllegalArgumentException("negatives '" + spec.param("negatives", "") + "' unknown");
        };
        for (String object : negatives) {
            String answer = sentence ? "No, there is no " + object + " in the image." : "No";
            items.add(TaskItem.of("absent:" + object, answer, "object", object));
        }
        return items;
    }
}
