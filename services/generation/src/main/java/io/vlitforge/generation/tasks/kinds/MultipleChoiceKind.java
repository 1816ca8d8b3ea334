package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.generation.tasks.Vocabulary;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.QaPair;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Multiple choice answered with the option's letter, as LLaVA-1.5 trains it. {@code source} decides where
 * the right answer and the distractors come from: {@code choices} (A-OKVQA's own options), {@code vqa} (a
 * VQA answer among other answers of the same kind: numbers among numbers, colours among colours),
 * {@code objects} (one present category among absent ones), {@code counts} (the true count among near
 * numbers) and {@code colours} (an object's annotated colour among other colours).
 */
public final class MultipleChoiceKind implements TaskKind {

    private static final int OPTIONS = 4;

    @Override
    public String name() {
        return "multiple_choice";
    }

    @Override
    public Set<String> slots() {
        return Set.of("question", "options", "object", "objects");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        Vocabulary vocabulary = Vocabulary.get();
        switch (spec.param("source", "choices")) {
            case "choices" -> {
                for (QaPair qa : image.questions()) {
                    if (qa.choices().size() >= 2 && qa.correctChoice() != null && qa.correctChoice() >= 0
                            && qa.correctChoice() < qa.choices().size()) {
                        String correct = qa.choices().get(qa.correctChoice());
                        List<String> others = new ArrayList<>(qa.choices());
                        others.remove((int) qa.correctChoice());
                        String key = "q:" + qa.dataset() + ":" + qa.sourceId();
                        Choices.Options options = Choices.of(correct, others, context.random(key));
                        items.add(TaskItem.of(key, options.letter(), "question", qa.question().strip(),
                                "options", options.text()));
                    }
                }
            }
            case "vqa" -> {
                for (QaPair qa : image.questions()) {
                    if (!VqaKind.accepts(VqaKind.datasets(spec), qa) || qa.answer() == null || qa.answer().isBlank()
                            || qa.choices().size() >= 2) {
                        continue;
                    }
                    String answer = qa.answer().strip().toLowerCase();
                    List<String> pool = distractorPool(answer, vocabulary);
                    if (pool.isEmpty()) {
                        continue;
                    }
                    Set<String> exclude = new LinkedHashSet<>(qa.answers().stream().map(a -> a.strip().toLowerCase()).toList());
                    exclude.add(answer);
                    List<String> candidates = pool.stream().filter(p -> !exclude.contains(p)).toList();
                    String key = "q:" + qa.dataset() + ":" + qa.sourceId();
                    SplittableRandom random = context.random(key);
                    List<String> distractors = Choices.pick(candidates, OPTIONS - 1, random);
                    if (distractors.size() < OPTIONS - 1) {
                        continue;
                    }
                    Choices.Options options = Choices.of(answer, distractors, random);
                    items.add(TaskItem.of(key, options.letter(), "question", qa.question().strip(),
                            "options", options.text()));
                }
            }
            case "objects" -> {
                List<String> absent = vocabulary.objectsByFrequency().stream()
                        .filter(o -> !Annotations.mentioned(image, o)).toList();
                for (String present : Annotations.counts(image).keySet()) {
                    SplittableRandom random = context.random("object:" + present);
                    List<String> distractors = Choices.pick(absent, OPTIONS - 1, random);
                    if (distractors.size() == OPTIONS - 1) {
                        Choices.Options options = Choices.of(present, distractors, random);
                        items.add(TaskItem.of("object:" + present, options.letter(), "options", options.text()));
                    }
                }
            }
            case "counts" -> {
                for (Map.Entry<String, Integer> e : Annotations.counts(image).entrySet()) {
                    int n = e.getValue();
                    List<String> near = new ArrayList<>();
                    for (int d : new int[] {-2, -1, 1, 2, 3}) {
                        if (n + d >= 0) {
                            near.add(Integer.toString(n + d));
                        }
                    }
                    SplittableRandom random = context.random("count:" + e.getKey());
                    List<String> distractors = Choices.pick(near, OPTIONS - 1, random);
                    Choices.Options options = Choices.of(Integer.toString(n), distractors, random);
                    items.add(TaskItem.of("count:" + e.getKey(), options.letter(), "objects", Text.noun(e.getKey(), 2),
                            "options", options.text()));
                }
            }
            case "colours" -> {
                Map<String, BoundingBox> unique = Annotations.unique(image);
                for (Map.Entry<String, BoundingBox> e : unique.entrySet()) {
                    List<String> colours = e.getValue().attributes().stream().map(a -> a.strip().toLowerCase())
                            .filter(vocabulary.colours()::contains).distinct().toList();
                    if (colours.size() != 1) {
                        continue; // no colour, or several: one right answer only
                    }
                    List<String> others = vocabulary.colours().stream().filter(c -> !colours.contains(c)).toList();
                    SplittableRandom random = context.random("colour:" + e.getKey());
                    Choices.Options options = Choices.of(colours.get(0), Choices.pick(others, OPTIONS - 1, random), random);
                    items.add(TaskItem.of("colour:" + e.getKey(), options.letter(), "object", e.getKey(),
                            "options", options.text()));
                }
            }
            default -> throw new IllegalArgumentException("multiple-choice source '" + spec.param("source", "") + "' unknown");
        }
        return items;
    }

    private static List<String> distractorPool(String answer, Vocabulary vocabulary) {
        if (answer.matches("\\d+")) {
            int n = Integer.parseInt(answer);
            List<String> near = new ArrayList<>();
            for (int d = -3; d <= 4; d++) {
                if (d != 0 && n + d >= 0) {
                    near.add(Integer.toString(n + d));
                }
            }
            return near;
        }
        if (vocabulary.colours().contains(answer)) {
            return vocabulary.colours();
        }
        if (vocabulary.objectsByFrequency().contains(answer)) {
            return vocabulary.objectsByFrequency();
        }
        return List.of();
    }
}
