package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A named, versioned list of adaption tasks. Its hash covers every template, so changing a word changes
 * the recipe hash recorded in each sample's lineage. For each task the seed is derived from the image id
 * and the task, so the same image always gets the same template and the same sample id.
 */
public final class AdaptionRecipe {

    public static final String BOX_CONVENTION = "coco_xywh_pixels";

    private final String id;
    private final String version;
    private final List<AdaptionTask> tasks;
    private final String hash;

    public AdaptionRecipe(String id, String version, List<AdaptionTask> tasks) {
        this.id = id;
        this.version = version;
        this.tasks = List.copyOf(tasks);
        StringBuilder definition = new StringBuilder(id).append('\n').append(version);
        for (AdaptionTask task : tasks) {
            definition.append('\n').append(task.name()).append('\n').append(String.join("\n", task.templates()));
        }
        this.hash = Ids.sha256Hex(definition.toString());
    }

    /** The foundation recipe: brief caption, detailed description and object counting. */
    public static AdaptionRecipe cocoBasic() {
        return new AdaptionRecipe("aa-coco-basic", "1",
                List.of(new BriefCaptionTask(), new DetailedDescriptionTask(), new ObjectCountingTask()));
    }

    public Recipe recipe() {
        return new Recipe(id, version, hash);
    }

    public List<AdaptionTask> tasks() {
        return tasks;
    }

    public List<Sample> generate(ImageIngested image, String createdAt) {
        List<Sample> samples = new ArrayList<>();
        for (AdaptionTask task : tasks) {
            long seed = Ids.seedOf(image.imageId(), id, version, task.name());
            int templateIndex = (int) (seed % task.templates().size());
            String templateId = task.name() + "/" + templateIndex;
            Optional<List<Turn>> conversation = task.conversation(image, task.templates().get(templateIndex), seed);
            if (conversation.isEmpty()) {
                continue;
            }
            String sampleId = Ids.sampleId(image.imageId(), id, version, task.name(), templateId, seed);
            Lineage lineage = new Lineage(Strategy.AA, recipe(), templateId, seed,
                    new Generator("template", null, null, null), BOX_CONVENTION, image.source(),
                    List.of(new LineageStep("generation", "adaption/" + task.name(), version, createdAt)));
            Licence licence = image.licence();
            samples.add(new Sample(Sample.SCHEMA_VERSION, sampleId, image.imageId(), image.imageKey(),
                    conversation.get(), task.name(), task.category(), licence, lineage, Usage.NONE, createdAt,
                    image.groundTruth()));
        }
        return samples;
    }
}
