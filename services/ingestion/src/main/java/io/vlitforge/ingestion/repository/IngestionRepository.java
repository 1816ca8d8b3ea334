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
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads and writes the ingestion schema. Every write that belongs together is one transaction. */
@ApplicationScoped
public class IngestionRepository {

    /** The source ids already imported for a data set, so a re-import can skip them without a query each. */
    @WithSession
    public Uni<Set<String>> sourceIdsOf(String dataset) {
        return Panache.getSession().chain(session -> session
                .createSelectionQuery("select s.sourceId from ImageSourceEntity s where s.dataset = :dataset",
                        String.class)
                .setParameter("dataset", dataset)
                .getResultList())
                .map(HashSet::new);
    }

    /** An image seen for the first time in a data set, with its source reference and annotations. */
    public record ImageRecords(ImageEntity image, ImageSourceEntity source, List<CaptionEntity> captions,
            List<BoxEntity> boxes) {
    }

    /**
     * Stores a batch of images seen for the first time in their data set, in one transaction. An image row
     * may exist already (the same bytes from another source, or twice in this batch): then only the source
     * reference and annotations are added.
     */
    @WithTransaction
    public Uni<Void> saveImages(List<ImageRecords> batch) {
        List<String> ids = batch.stream().map(r -> r.image().imageId).distinct().toList();
        return Panache.getSession().chain(session -> session
                .createSelectionQuery("select i.imageId from ImageEntity i where i.imageId in :ids", String.class)
                .setParameter("ids", ids).getResultList()
                .chain(existing -> {
                    Set<String> stored = new HashSet<>(existing);
                    List<Object> entities = new ArrayList<>();
                    for (ImageRecords r : batch) {
                        if (stored.add(r.image().imageId)) {
                            entities.add(r.image());
                        }
                    }
                    for (ImageRecords r : batch) {
                        entities.add(r.source());
                        entities.addAll(r.captions());
                        entities.addAll(r.boxes());
                    }
                    return session.persistAll(entities.toArray());
                }));
    }

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
