package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Region;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Captions as answers. {@code style: brief} makes one item per human caption; {@code shortest} answers with
 * the image's shortest caption; {@code detailed} joins all captions (at least two) and lists the boxed objects
 * with their counts; {@code regions} describes the image from its Visual Genome region descriptions.
 */
public final class CaptionKind implements TaskKind {

    @Override
    public String name() {
        return "caption";
    }

    @Override
    public Set<String> slots() {
        return Set.of();
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<String> captions = image.captions().stream().filter(c -> c != null && !c.isBlank()).toList();
        List<TaskItem> items = new ArrayList<>();
        switch (spec.param("style", "brief")) {
            case "brief" -> {
                for (int i = 0; i < captions.size(); i++) {
                    items.add(TaskItem.of("caption:" + i, Text.sentence(captions.get(i))));
                }
            }
            case "shortest" -> captions.stream()
                    .min((a, b) -> a.strip().length() != b.strip().length()
                            ? Integer.compare(a.strip().length(), b.strip().length()) : a.compareTo(b))
                    .ifPresent(c -> items.add(TaskItem.of("shortest", Text.sentence(c))));
            case "detailed" -> {
                if (captions.size() >= 2) {
                    int start = context.random("detailed").nextInt(captions.size());
                    Set<String> sentences = new LinkedHashSet<>();
                    for (int i = 0; i < captions.size(); i++) {
                        sentences.add(Text.sentence(captions.get((start + i) % captions.size())));
                    }
                    StringBuilder answer = new StringBuilder(String.join(" ", sentences));
                    Map<String, Integer> counts = Annotations.counts(image);
                    if (!counts.isEmpty()) {
                        List<String> parts = new ArrayList<>();
                        counts.forEach((category, n) -> parts.add(Text.number(n) + " " + Text.noun(category, n)));
                        answer.append(" The annotated objects in the scene are ").append(Text.list(parts)).append('.');
                    }
                    items.add(TaskItem.of("detailed", answer.toString()));
                }
            }
            case "regions" -> {
                int max = spec.intParam("max-regions", 8);
                Set<String> sentences = new LinkedHashSet<>();
                for (Region region : image.regions()) {
                    if (region.description() != null && !region.description().isBlank()) {
                        sentences.add(Text.sentence(region.description()));
                    }
                    if (sentences.size() == max) {
                        break;
                    }
                }
                if (sentences.size() >= 3) {
                    items.add(TaskItem.of("regions", String.join(" ", sentences)));
                }
            }
            default -> throw new IllegalArgumentException("caption style '" + spec.param("style", "") + "' unknown");
        }
        return items;
    }
}
