package io.vlitforge.shared.events;

import java.util.List;

/**
 * Emitted on {@code images.ingested} once an image's bytes are in the object store and its metadata is
 * stored. It carries the annotations, so that generation needs nothing but this event and the store.
 */
public record ImageIngested(
        int schemaVersion,
        String imageId,
        String imageKey,
        String format,
        int width,
        int height,
        List<String> captions,
        List<BoundingBox> boxes,
        Licence licence,
        SourceRef source,
        String ingestRunId) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 1;

    public ImageIngested {
        captions = captions == null ? List.of() : List.copyOf(captions);
        boxes = boxes == null ? List.of() : List.copyOf(boxes);
    }
}
