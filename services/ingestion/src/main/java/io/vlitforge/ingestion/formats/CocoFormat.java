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
 * streamed by {@link CocoAnnotationReader} and handed over as one item per image.
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
        stream(paths, result);
        return result;
    }

    @Override
    public void stream(List<Path> paths, ItemSink sink) throws IOException {
        for (Path dir : paths) {
            reader.splits(dir);
        }
        for (Path dir : paths) {
            for (String split : reader.splits(dir)) {
                reader.stream(dir, split, r -> sink.item(item(r, dir, split)),
                        p -> sink.problem(p.item(), p.reason(), p.detail()));
            }
        }
    }

    private SourceItem item(CocoAnnotationReader.CocoImageRecord r, Path dir, String split) {
        CocoDataset.CocoImage image = r.image();
        SourceItem item = new SourceItem(name(), split, Long.toString(image.id()), image.fileName());
        item.baseDir = dir;
        item.width = image.width();
        item.height = image.height();
        item.licence = image.licence();
        r.captions().forEach(c -> item.captions.add(new SourceItem.Caption(Long.toString(c.annotationId()),
                c.text())));
        for (CocoDataset.CocoBox b : r.boxes()) {
            BoundingBox box = b.box();
            item.boxes.add(new BoundingBox(box.category(), box.x(), box.y(), box.width(), box.height(),
                    Long.toString(b.annotationId()), List.of(), BoxConventions.COCO_XYWH));
        }
        return item;
    }
}
