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

    /**
     * Stores an image seen for the first time in this data set. The image row itself may exist already
     * (same bytes from another source): then only the source reference and annotations are added.
     */
    @WithTransaction
    public Uni<Void> saveImage(ImageEntity image, ImageSourceEntity source, List<CaptionEntity> captions,
            List<BoxEntity> boxes) {
        return ImageEntity.<ImageEntity>findById(image.imageId)
                .chain(existing -> existing == null ? image.persist() : Uni.createFrom().item(existing))
                .chain(() -> source.persist())
                .chain(() -> captions.isEmpty() ? Uni.createFrom().voidItem()
                        : Panache.getSession().chain(s -> s.persistAll(captions.toArray())))
                .chain(() -> boxes.isEmpty() ? Uni.createFrom().voidItem()
                        : Panache.getSession().chain(s -> s.persistAll(boxes.toArray())))
                .replaceWithVoid();
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
