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
        String createdAt) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 1;

    public Sample {
        conversations = conversations == null ? List.of() : List.copyOf(conversations);
    }

    /** A copy whose lineage has one more step. */
    public Sample withStep(LineageStep step) {
        return new Sample(schemaVersion, id, imageId, imageKey, conversations, task, category, licence,
                lineage.withStep(step), usage, createdAt);
    }
}
