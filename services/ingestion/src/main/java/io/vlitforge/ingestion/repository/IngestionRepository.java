package io.vlitforge.ingestion.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.entity.ImageEntity;
import io.vlitforge.ingestion.entity.ImageSourceEntity;
import io.vlitforge.ingestion.entity.IngestRejectionEntity;
import io.vlitforge.ingestion.entity.IngestRunEntity;
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

    /** A run's refusals counted by reason. */
    @WithSession
    public Uni<Map<String, Long>> rejectionCounts(String runId) {
        return Panache.getSession().chain(session -> session
                .createSelectionQuery("select r.reason, count(r) from IngestRejectionEntity r where r.runId = :run "
                        + "group by r.reason order by r.reason", Object[].class)
                .setParameter("run", runId).getResultList())
                .map(rows -> {
                    Map<String, Long> counts = new java.util.TreeMap<>();
                    rows.forEach(row -> counts.put((String) row[0], ((Number) row[1]).longValue()));
                    return counts;
                });
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
