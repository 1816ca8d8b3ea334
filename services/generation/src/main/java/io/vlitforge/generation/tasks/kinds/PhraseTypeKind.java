package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The entity type Flickr30k Entities gives a caption phrase (people, clothing, body parts, animals,
 * vehicles, instruments, scene, other): "In 'A man in a red shirt', what kind of thing is 'a red shirt'?"
 */
public final class PhraseTypeKind implements TaskKind {

    @Override
    public String name() {
        return "phrase_type";
    }

    @Override
    public Set<String> slots() {
        return Set.of("phrase", "caption");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (GroundedPhrase p : image.phrases()) {
            if (p.types().isEmpty() || p.captionIndex() >= image.captions().size() || p.phrase() == null
                    || !seen.add(p.captionIndex() + ":" + p.firstWord())) {
                continue;
            }
            String type = p.types().get(0).strip().toLowerCase();
            if (type.isEmpty() || "notvisual".equals(type)) {
                continue;
            }
            items.add(TaskItem.of("phrase:" + p.captionIndex() + ":" + p.firstWord(), type.replace("bodyparts", "body parts"),
                    "phrase", p.phrase().strip(), "caption", image.captions().get(p.captionIndex()).strip()));
        }
        return items;
    }
}
