package io.vlitforge.ingestion.formats;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImportedConversation;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.ReferringExpression;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One image of a source as its reader found it, in the one image model every format is read into: where
 * its bytes are, what the source says about its size and licence, and all of its annotations. Boxes
 * (also those of regions and referring expressions) are still <em>as written</em>: their four numbers are
 * in {@link BoundingBox#sourceConvention()}; the ingest service converts them to pixels once it knows the
 * image's real size. A reader fills an item and hands it over; nothing else changes it.
 */
public final class SourceItem {

    /** A caption with the source's id for it (unique within the data set). */
    public record Caption(String id, String text) {
    }

    public final String format;
    public final String split;
    /** The image's id in its source; unique within a data set and stable across imports. */
    public final String sourceId;
    /** The image file, relative to the images folder (or to {@link #baseDir} when none is given). */
    public String fileName;
    /** Where relative file names resolve when the import names no images folder. */
    public Path baseDir;
    /** Bytes that came inside the source itself (WebDataset shards). */
    public byte[] bytes;
    public Integer width;
    public Integer height;
    public Licence licence;
    public String credit;
    /** The COCO image id a Visual Genome image says it is ({@code coco_id}); joins that COCO record. */
    public String linkedCocoId;
    public final List<Caption> captions = new ArrayList<>();
    public final List<BoundingBox> boxes = new ArrayList<>();
    public final List<Region> regions = new ArrayList<>();
    public final List<Relation> relations = new ArrayList<>();
    public final List<QaPair> questions = new ArrayList<>();
    public final List<ReferringExpression> referringExpressions = new ArrayList<>();
    public final List<GroundedPhrase> phrases = new ArrayList<>();
    public final List<ImportedConversation> conversations = new ArrayList<>();

    public SourceItem(String format, String split, String sourceId, String fileName) {
        this.format = format;
        this.split = split == null || split.isBlank() ? "default" : split;
        this.sourceId = sourceId;
        this.fileName = fileName;
    }

    /** The number of annotations of every kind, for counts checked against the source files. */
    public int annotationCount() {
        return captions.size() + boxes.size() + regions.size() + relations.size() + questions.size()
                + referringExpressions.size() + phrases.size() + conversations.size();
    }
}
