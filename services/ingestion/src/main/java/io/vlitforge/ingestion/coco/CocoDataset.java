package io.vlitforge.ingestion.coco;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.Licence;
import java.util.List;
import java.util.Map;

/**
 * One split of a COCO data set as read from its official annotation files: the images listed, their
 * captions and boxes (category names resolved), and every annotation that could not be used.
 */
public record CocoDataset(
        String split,
        List<CocoImage> images,
        Map<Long, List<CocoCaption>> captionsByImage,
        Map<Long, List<CocoBox>> boxesByImage,
        List<AnnotationProblem> problems) {

    /** An entry of the {@code images} array. */
    public record CocoImage(long id, String fileName, int width, int height, Licence licence) {
    }

    public record CocoCaption(long annotationId, String text) {
    }

    public record CocoBox(long annotationId, BoundingBox box) {
    }

    /** An annotation that was refused, with a stable reason code and a readable detail. */
    public record AnnotationProblem(String item, String reason, String detail) {
    }

    public List<CocoCaption> captionsOf(long imageId) {
        return captionsByImage.getOrDefault(imageId, List.of());
    }

    public List<CocoBox> boxesOf(long imageId) {
        return boxesByImage.getOrDefault(imageId, List.of());
    }
}
