package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.shared.boxes.BoxText;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Captions whose phrases carry their boxes. {@code source: phrases} writes a Flickr30k Entities caption with
 * each grounded phrase followed by its boxes (Qwen-VL's {@code <ref>phrase</ref><box>...</box>} when the
 * recipe writes Qwen-VL boxes); {@code objects} lists every boxed object as {@code category: box}, one per
 * line, the way LLaVA shows an image to a text-only model.
 */
public final class GroundedCaptionKind implements TaskKind {

    @Override
    public String name() {
        return "grounded_caption";
    }

    @Override
    public Set<String> slots() {
        return Set.of();
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        if ("objects".equals(spec.param("source", "phrases"))) {
            int max = spec.intParam("max-objects", 20);
            if (!image.boxes().isEmpty() && image.boxes().size() <= max) {
                StringBuilder answer = new StringBuilder();
                for (BoundingBox box : image.boxes()) {
                    if (answer.length() > 0) {
                        answer.append('\n');
                    }
                    answer.append(Annotations.name(box.category())).append(": ").append(context.box(image, box));
                }
                items.add(TaskItem.of("objects", answer.toString()));
            }
            return items;
        }
        Map<String, List<BoundingBox>> byEntity = Annotations.byObjectId(image);
        boolean qwen = BoxText.QWEN_VL.equals(context.boxConvention());
        for (int c = 0; c < image.captions().size(); c++) {
            String[] words = image.captions().get(c).strip().split("\\s+");
            Map<Integer, GroundedPhrase> starts = new TreeMap<>();
            for (GroundedPhrase p : image.phrases()) {
                if (p.captionIndex() == c && byEntity.containsKey(p.entityId()) && p.firstWord() >= 0
                        && p.firstWord() < words.length) {
                    starts.put(p.firstWord(), p);
                }
            }
            if (starts.isEmpty()) {
                continue;
            }
            StringBuilder answer = new StringBuilder();
            int i = 0;
            while (i < words.length) {
                GroundedPhrase p = starts.get(i);
                if (answer.length() > 0) {
                    answer.append(' ');
                }
                if (p == null) {
                    answer.append(words[i++]);
                    continue;
                }
                int length = Math.max(1, p.phrase().strip().split("\\s+").length);
                String phrase = String.join(" ", java.util.Arrays.copyOfRange(words, i, Math.min(words.length, i + length)));
                List<String> boxes = byEntity.get(p.entityId()).stream().map(b -> context.box(image, b)).toList();
                answer.append(qwen ? "<ref>" + phrase + "</ref>" + String.join("", boxes)
                        : phrase + " " + String.join(" ", boxes));
                i += length;
            }
            items.add(TaskItem.of("caption:" + c, Text.sentence(answer.toString())));
        }
        return items;
    }
}
