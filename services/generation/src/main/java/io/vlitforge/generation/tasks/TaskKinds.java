package io.vlitforge.generation.tasks;

import io.vlitforge.generation.tasks.kinds.CaptionKind;
import io.vlitforge.generation.tasks.kinds.CountingKind;
import io.vlitforge.generation.tasks.kinds.ExistenceKind;
import io.vlitforge.generation.tasks.kinds.GroundedCaptionKind;
import io.vlitforge.generation.tasks.kinds.MatchingKind;
import io.vlitforge.generation.tasks.kinds.MultipleChoiceKind;
import io.vlitforge.generation.tasks.kinds.PhraseTypeKind;
import io.vlitforge.generation.tasks.kinds.ReferringKind;
import io.vlitforge.generation.tasks.kinds.RegionCaptionKind;
import io.vlitforge.generation.tasks.kinds.SceneGraphKind;
import io.vlitforge.generation.tasks.kinds.SpatialKind;
import io.vlitforge.generation.tasks.kinds.VqaKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Every task kind by name: the code a task file can refer to with {@code kind:}. */
public final class TaskKinds {

    private static final Map<String, TaskKind> KINDS = new TreeMap<>();

    static {
        for (TaskKind kind : List.of(new CaptionKind(), new VqaKind(), new MultipleChoiceKind(), new ExistenceKind(),
                new CountingKind(), new ReferringKind(), new RegionCaptionKind(), new GroundedCaptionKind(),
                new SpatialKind(), new SceneGraphKind(), new MatchingKind(), new PhraseTypeKind())) {
            KINDS.put(kind.name(), kind);
        }
    }

    private TaskKinds() {
    }

    public static Optional<TaskKind> byName(String name) {
        return Optional.ofNullable(KINDS.get(name));
    }

    public static List<String> names() {
        return List.copyOf(KINDS.keySet());
    }
}
