package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counting from the boxes: the answer is the exact number of boxes of a category ({@code answer: sentence}
 * "There are two dogs.", {@code number} "2"), or, with {@code mode: compare}, whether there are more of one
 * category than of another (only for categories whose counts differ). Crowd regions are not boxes, so counts
 * are of individually boxed objects.
 */
public final class CountingKind implements TaskKind {

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public Set<String> slots() {
        return Set.of("objects", "first", "second");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        Map<String, Integer> counts = Annotations.counts(image);
        List<TaskItem> items = new ArrayList<>();
        if ("compare".equals(spec.param("mode", "count"))) {
            List<String> categories = new ArrayList<>(counts.keySet());
            for (int i = 0; i < categories.size(); i++) {
                for (int j = i + 1; j < categories.size(); j++) {
                    String a = categories.get(i);
                    String b = categories.get(j);
                    if (counts.get(a).equals(counts.get(b))) {
                        continue;
                    }
                    boolean swap = context.random("compare:" + a + "|" + b).nextBoolean();
                    String first = swap ? b : a;
                    String second = swap ? a : b;
                    boolean more = counts.get(first) > counts.get(second);
                    String answer = (more ? "Yes" : "No") + ", there " + (counts.get(first) == 1 ? "is " : "are ")
                            + Text.number(counts.get(first)) + " " + Text.noun(first, counts.get(first)) + " and "
                            + Text.number(counts.get(second)) + " " + Text.noun(second, counts.get(second)) + ".";
                    items.add(TaskItem.of("compare:" + first + "|" + second, answer, "first", Text.noun(first, 2),
                            "second", Text.noun(second, 2)));
                }
            }
            return items;
        }
        boolean number = "number".equals(spec.param("answer", "sentence"));
        counts.forEach((category, n) -> items.add(TaskItem.of("count:" + category,
                number ? Integer.toString(n)
                        : (n == 1 ? "There is " : "There are ") + Text.number(n) + " " + Text.noun(category, n) + ".",
                "objects", Text.noun(category, 2))));
        return items;
    }
}
