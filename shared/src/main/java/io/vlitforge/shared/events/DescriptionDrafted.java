package io.vlitforge.shared.events;

/**
 * Emitted on {@code descriptions.drafted} by generation's describe step: a vision model's description of
 * an image (with its continuation when the first answer was short), not yet repaired. It carries the
 * whole {@link ImageIngested}, so the repair step needs nothing else to make the sample, and what the
 * describe calls cost ({@code generator}, {@code usage}), so the sample's lineage accounts for both steps.
 * {@code draftId} is deterministic (image, recipe, prompt set), so a redelivered image drafts the same id.
 */
public record DescriptionDrafted(
        int schemaVersion,
        String draftId,
        ImageIngested image,
        Recipe recipe,
        String description,
        Generator generator,
        Usage usage,
        String draftedAt) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 1;
}
