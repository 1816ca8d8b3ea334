package io.vlitforge.ingestion.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.entity.BoxEntity;
import io.vlitforge.ingestion.entity.CaptionEntity;
import io.vlitforge.ingestion.entity.ImageEntity;
import io.vlitforge.ingestion.entity.ImageSourceEntity;
import io.vlitforge.ingestion.entity.IngestRejectionEntity;
import io.vlitforge.ingestion.entity.IngestRunEntity;
import io.vlitforge.shared.sql.MultiRowInsert;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads and writes the ingestion schema. Every write that belongs together is one transaction. */
@ApplicationScoped
public class IngestionRepository {

    /**
     * The images already imported from a data set, source id to object key, so a re-import can skip them
     * without a query each (and check that their bytes are still in the object store).
     */
    @WithSession
    public Uni<Map<String, String>> knownSources(String dataset) {
        return Panache.getSession().chain(session -> session
                .createSelectionQuery("select s.sourceId, i.objectKey from ImageSourceEntity s, ImageEntity i "
                        + "where s.dataset = :dataset and i.imageId = s.imageId", Object[].class)
                .setParameter("dataset", dataset)
                .getResultList())
                .map(rows -> {
                    Map<String, String> known = new HashMap<>();
                    rows.forEach(row -> known.put((String) row[0], (String) row[1]));
                    return known;
                });
    }

    /** An image seen for the first time in a data set, with its source reference and annotations. */
    public record ImageRecords(ImageEntity image, ImageSourceEntity source, List<CaptionEntity> captions,
            List<BoxEntity> boxes) {
    }

    /**
     * Stores a batch of images seen for the first time in their data set, in one transaction of a few
     * multi-row inserts (one row at a time, a batch's thousand caption and box rows cost a round trip
     * each). An image row may exist already (the same bytes from another source, or twice in this
     * batch): {@code ON CONFLICT DO NOTHING} keeps the first, and every key is a natural one, so a
     * repeated batch changes nothing.
     */
    @WithTransaction
    public Uni<Void> saveImages(List<ImageRecords> batch) {
        List<ImageEntity> images = batch.stream().map(ImageRecords::image).toList();
        List<ImageSourceEntity> sources = batch.stream().map(ImageRecords::source).toList();
        List<CaptionEntity> captions = batch.stream().flatMap(r -> r.captions().stream()).toList();
        List<BoxEntity> boxes = batch.stream().flatMap(r -> r.boxes().stream()).toList();
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, INSERT_IMAGES,
                        " on conflict (image_id) do nothing", 9, images, (i, q, p) -> q.setParameter(p, i.imageId)
                                .setParameter(p + 1, i.objectKey).setParameter(p + 2, i.format)
                                .setParameter(p + 3, i.width).setParameter(p + 4, i.height)
                                .setParameter(p + 5, i.byteSize).setParameter(p + 6, i.licenceName)
                                .setParameter(p + 7, i.licenceUrl).setParameter(p + 8, i.createdAt))
                .chain(() -> MultiRowInsert.insert(session, INSERT_SOURCES, " on conflict (dataset, source_id) do nothing",
                        6, sources, (s, q, p) -> q.setParameter(p, s.dataset).setParameter(p + 1, s.sourceId)
                                .setParameter(p + 2, s.split).setParameter(p + 3, s.fileName)
                                .setParameter(p + 4, s.imageId).setParameter(p + 5, s.runId)))
                .chain(() -> MultiRowInsert.insert(session, INSERT_CAPTIONS, ON_ANNOTATION_CONFLICT, 4, captions,
                        (c, q, p) -> q.setParameter(p, c.imageId).setParameter(p + 1, c.dataset)
                                .setParameter(p + 2, c.sourceAnnotationId).setParameter(p + 3, c.text)))
                .chain(() -> MultiRowInsert.insert(session, INSERT_BOXES, ON_ANNOTATION_CONFLICT, 8, boxes,
                        (b, q, p) -> q.setParameter(p, b.imageId).setParameter(p + 1, b.dataset)
                                .setParameter(p + 2, b.sourceAnnotationId).setParameter(p + 3, b.category)
                                .setParameter(p + 4, b.x).setParameter(p + 5, b.y).setParameter(p + 6, b.width)
                                .setParameter(p + 7, b.height)))
                .replaceWithVoid());
    }

    private static final String INSERT_IMAGES = "insert into ingestion.images (image_id, object_key, format, width, "
            + "height, byte_size, licence_name, licence_url, created_at) values ";
    private static final String INSERT_SOURCES = "insert into ingestion.image_sources (dataset, source_id, split, "
            + "file_name, image_id, run_id) values ";
    private static final String INSERT_CAPTIONS = "insert into ingestion.captions (image_id, dataset, "
            + "source_annotation_id, text) values ";
    private static final String INSERT_BOXES = "insert into ingestion.boxes (image_id, dataset, source_annotation_id, "
            + "category, x, y, width, height) values ";
    private static final String ON_ANNOTATION_CONFLICT = " on conflict (dataset, source_annotation_id) do nothing";

    @WithTransaction
    public Uni<Void> saveRun(IngestRunEntity run) {
        return Panache.getSession().chain(session -> session.merge(run)).replaceWithVoid();
    }

    @WithTransaction
    public Uni<Void> saveRejections(List<IngestRejectionEntity> rejections) {
        if (rejections.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.getSession().chain(session -> session.persistAll(rejections.toArray()));
    }

    @WithSession
    public Uni<IngestRunEntity> findRun(String runId) {
        return IngestRunEntity.findById(runId);
    }

    @WithSession
    public Uni<List<IngestRejectionEntity>> rejectionsOf(String runId) {
        return IngestRejectionEntity.list("runId = ?1 order by id", runId);
    }

    @WithSession
    public Uni<Stats> stats() {
        return ImageEntity.count()
                .chain(images -> ImageSourceEntity.count()
                        .chain(sources -> IngestRunEntity.count()
                                .chain(runs -> IngestRejectionEntity.count()
                                        .map(rejections -> new Stats(images, sources, runs, rejections)))));
    }

    /** Counts for the status command and the end-to-end checks. */
    public record Stats(long images, long imageSources, long importRuns, long rejections) {
    }
}
