package io.vlitforge.shared.events;

import java.util.List;

/**
 * Emitted on {@code images.ingested} once an image's bytes are in the object store and its metadata is
 * stored. It carries the image's whole normalised annotation record, so that generation needs nothing but
 * this event and the store: captions, boxes (pixels, COCO {@code [x, y, w, h]}; each records its source
 * convention), regions, scene-graph relations, QA pairs, referring expressions, grounded caption phrases,
 * conversations of ingested instruction sets, the licence, and every source reference merged into it.
 *
 * <p>Schema version 2 added everything after {@code ingestRunId}; a version-1 record reads with those
 * empty.
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
        String ingestRunId,
        List<Region> regions,
        List<Relation> relations,
        List<QaPair> questions,
        List<ReferringExpression> referringExpressions,
        List<GroundedPhrase> phrases,
        List<ImportedConversation> conversations,
        List<SourceRef> sources,
        String credit,
        String perceptualHash) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 2;

    public ImageIngested {
        captions = captions == null ? List.of() : List.copyOf(captions);
        boxes = boxes == null ? List.of() : List.copyOf(boxes);
        regions = regions == null ? List.of() : List.copyOf(regions);
        relations = relations == null ? List.of() : List.copyOf(relations);
        questions = questions == null ? List.of() : List.copyOf(questions);
        referringExpressions = referringExpressions == null ? List.of() : List.copyOf(referringExpressions);
        phrases = phrases == null ? List.of() : List.copyOf(phrases);
        conversations = conversations == null ? List.of() : List.copyOf(conversations);
        sources = sources == null || sources.isEmpty()
                ? (source == null ? List.of() : List.of(source))
                : List.copyOf(sources);
    }

    /** An image with captions and boxes only (the version-1 shape). */
    public ImageIngested(int schemaVersion, String imageId, String imageKey, String format, int width, int height,
            List<String> captions, List<BoundingBox> boxes, Licence licence, SourceRef source, String ingestRunId) {
        this(schemaVersion, imageId, imageKey, format, width, height, captions, boxes, licence, source, ingestRunId,
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), null, null);
    }

    /** The ground truth a filter can check a response against, with the image's perceptual hash. */
    public GroundTruth groundTruth() {
        return GroundTruth.of(captions, boxes, perceptualHash);
    }
}
