package io.vlitforge.shared.events;

import java.util.List;

/**
 * An instruction sample: an image and a conversation about it, with its lineage. Emitted on
 * {@code samples.generated}; its id is {@link io.vlitforge.shared.ids.Ids#sampleId} of what made it.
 */
public record Sample(
        int schemaVersion,
        String id,
        String imageId,
        String imageKey,
        List<Turn> conversations,
        String task,
        String category,
        Licence licence,
        Lineage lineage,
        Usage usage,
        String createdAt,
        GroundTruth groundTruth) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 2;

    public Sample {
        conversations = conversations == null ? List.of() : List.copyOf(conversations);
    }

    /** A sample without ground truth (the version-1 shape). */
    public Sample(int schemaVersion, String id, String imageId, String imageKey, List<Turn> conversations, String task,
            String category, Licence licence, Lineage lineage, Usage usage, String createdAt) {
        this(schemaVersion, id, imageId, imageKey, conversations, task, category, licence, lineage, usage, createdAt,
                null);
    }

    /** A copy whose lineage has one more step (a sample that arrived without lineage gets one). */
    public Sample withStep(LineageStep step) {
        Lineage base = lineage != null ? lineage : new Lineage(null, null, null, 0, null, null, null, List.of());
        return new Sample(schemaVersion, id, imageId, imageKey, conversations, task, category, licence,
                base.withStep(step), usage, createdAt, groundTruth);
    }
}
