package io.vlitforge.shared.events;

import java.util.List;

/**
 * One labelled box in the internal convention: COCO's {@code [x, y, width, height]} in pixels from the
 * top-left corner. {@code sourceConvention} records how the source wrote it ({@code coco-xywh},
 * {@code vg-xywh}, {@code xyxy}, {@code normalised-xyxy}, ...); {@code objectId} is the source's id for
 * the object (a VG object id, a Flickr30k entity id, a COCO annotation id) so that regions, relations,
 * phrases and referring expressions can point at it; {@code attributes} are VG-style attribute words.
 * Conversions to other conventions happen where they are needed ({@code BoxConventions}).
 */
public record BoundingBox(String category, double x, double y, double width, double height, String objectId,
        List<String> attributes, String sourceConvention) {

    public BoundingBox {
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
    }

    /** A box with no object id, no attributes and the COCO source convention. */
    public BoundingBox(String category, double x, double y, double width, double height) {
        this(category, x, y, width, height, null, List.of(), null);
    }
}
