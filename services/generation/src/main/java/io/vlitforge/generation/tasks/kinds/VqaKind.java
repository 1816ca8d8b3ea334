package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.QaPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Questions of VQA-style sources answered from their annotations. {@code datasets} picks the sources
 * ({@code vqa}, {@code gqa}, {@code vg}, {@code a-okvqa}; empty: all); {@code answer: short} gives the
 * annotators' consensus answer as written (LLaVA-1.5's single word or phrase), {@code full} a sentence:
 * GQA's full answer where the source has one, else the short answer as a sentence.
 */
public final class VqaKind implements TaskKind {

    @Override
    public String name() {
        return "vqa";
    }

    @Override
    public Set<String> slots() {
        return Set.of("question");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<String> datasets = datasets(spec);
        boolean full = "full".equals(spec.param("answer", "short"));
        List<TaskItem> items = new ArrayList<>();
        for (QaPair qa : image.questions()) {
            if (!accepts(datasets, qa) || qa.question() == null || qa.question().isBlank() || qa.answer() == null
                    || qa.answer().isBlank()) {
                continue;
            }
            String answer = full
                    ? (qa.fullAnswer() != null && !qa.fullAnswer().isBlank() ? Text.sentence(qa.fullAnswer())
                            : Text.sentence(qa.answer()))
                    : qa.answer().strip();
            items.add(TaskItem.of("q:" + qa.dataset() + ":" + qa.sourceId(), answer, "question", qa.question().strip()));
        }
        return items;
    }

    static List<String> datasets(TaskSpec spec) {
        String value = spec.param("datasets", "");
        return value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::strip).toList();
    }

    static boolean accepts(List<String> datasets, QaPair qa) {
        return datasets.isEmpty() || datasets.contains(qa.dataset());
    }
}
