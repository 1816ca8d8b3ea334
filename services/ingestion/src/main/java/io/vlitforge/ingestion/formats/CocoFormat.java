package io.vlitforge.ingestion.formats;

import io.vlitforge.ingestion.coco.CocoAnnotationReader;
import io.vlitforge.ingestion.coco.CocoDataset;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * COCO (and LVIS, same shape): a folder of {@code captions_<split>.json} and {@code instances_<split>.json},
 * read by {@link CocoAnnotationReader} and handed over as one item per image.
 */
public final class CocoFormat implements AnnotationFormat {

    private final CocoAnnotationReader reader = new CocoAnnotationReader();

    @Override
    public String name() {
        return "coco";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path dir : paths) {
            for (String split : reader.splits(dir)) {
                CocoDataset data = reader.read(dir, split);
                data.problems().forEach(p -> result.problem(p.item(), p.reason(), p.detail()));
                for (CocoDataset.CocoImage image : data.images()) {
                    SourceItem item = new SourceItem(name(), split, Long.toString(image.id()), image.fileName());
                    item.baseDir = dir;
                    item.width = image.width();
                    item.height = image.height();
                    item.licence = image.licence();
                    data.captionsOf(image.id()).forEach(c -> item.captions.add(
                            new SourceItem.Caption(Long.toString(c.annotationId()), c.text())));
                    for (CocoDataset.CocoBox b : data.boxesOf(image.id())) {
                        BoundingBox box = b.box();
                        item.boxes.add(new BoundingBox(box.category(), box.x(), box.y(), box.width(), box.height(),
                                Long.toString(b.annotationId()), List.of(), BoxConventions.COCO_XYWH));
                    }
                    result.items.add(item);
                }
            }
        }
        return result;
    }
}
