package io.vlitforge.publication.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.publication.entity.AcceptedSampleEntity;
import io.vlitforge.publication.entity.ReleaseEntity;
import io.vlitforge.shared.sql.MultiRowInsert;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;

/** The accepted-sample store and the release records. */
@ApplicationScoped
public class PublicationRepository {

    private static final String UPSERT_ACCEPTED = "insert into publication.accepted_samples "
            + "(sample_id, image_id, image_key, task, sample_json, accepted_at, verdicts_json) values ";

    /** One accepted sample as stored. */
    public record AcceptedRow(String sampleId, String imageId, String imageKey, String task, String sampleJson,
            OffsetDateTime acceptedAt, String verdictsJson) {
    }

    /**
     * Stores a batch of accepted samples in one transaction; a redelivered sample hits the primary key and
     * changes nothing. Returns how many rows were new.
     */
    @WithTransaction
    public Uni<Integer> storeAccepted(List<AcceptedRow> rows) {
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, UPSERT_ACCEPTED,
                " on conflict (sample_id) do nothing", 7, rows, (row, q, p) -> q.setParameter(p, row.sampleId())
                        .setParameter(p + 1, row.imageId()).setParameter(p + 2, row.imageKey())
                        .setParameter(p + 3, row.task()).setParameter(p + 4, row.sampleJson())
                        .setParameter(p + 5, row.acceptedAt()).setParameter(p + 6, row.verdictsJson())));
    }

    private static final String UPSERT_REJECTED = "insert into publication.rejected_samples "
            + "(sample_id, task, source, filter, reason, rejected_at) values ";

    /** One rejected sample as stored: the first filter that rejected it and why. */
    public record RejectedRow(String sampleId, String task, String source, String filter, String reason,
            OffsetDateTime rejectedAt) {
    }

    /** Stores a batch of rejected samples; a redelivered one changes nothing. Returns how many were new. */
    @WithTransaction
    public Uni<Integer> storeRejected(List<RejectedRow> rows) {
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, UPSERT_REJECTED,
                " on conflict (sample_id) do nothing", 6, rows, (row, q, p) -> q.setParameter(p, row.sampleId())
                        .setParameter(p + 1, row.task()).setParameter(p + 2, row.source())
                        .setParameter(p + 3, row.filter()).setParameter(p + 4, row.reason())
                        .setParameter(p + 5, row.rejectedAt())));
    }

    /** Rejections counted by task, source, filter and reason: the funnel's raw material. */
    public record RejectionCount(String task, String source, String filter, String reason, long count) {
    }

    @WithSession
    @SuppressWarnings("unchecked")
    public Uni<List<RejectionCount>> rejectionCounts() {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select task, source, filter, reason, count(*) from publication.rejected_samples "
                        + "group by task, source, filter, reason order by task, source, filter, reason", Object[].class)
                .getResultList())
                .map(rows -> rows.stream().map(r -> new RejectionCount((String) r[0], (String) r[1], (String) r[2],
                        (String) r[3], ((Number) r[4]).longValue())).toList());
    }

    /**
     * Up to {@code limit} accepted samples after sample id {@code after} (null: from the first), in sample-id
     * order, so the same set always gives the same files. Each page is read in a session of its own, so a caller that keeps only what it parses from a page
     * never holds more than one page of entities (and their JSON text) at a time.
     */
    @WithSession
    public Uni<List<AcceptedSampleEntity>> acceptedPage(String after, int limit) {
        return (after == null ? AcceptedSampleEntity.find("order by sampleId")
                : AcceptedSampleEntity.find("sampleId > ?1 order by sampleId", after)).page(0, limit).list();
    }

    @WithSession
    public Uni<List<ReleaseEntity>> releases(String name) {
        return name == null ? ReleaseEntity.list("order by name, publishedAt")
                : ReleaseEntity.list("name = ?1 order by publishedAt", name);
    }

    @WithSession
    public Uni<ReleaseEntity> release(String name, String version) {
        ReleaseEntity.Key key = new ReleaseEntity.Key();
        key.name = name;
        key.version = version;
        return ReleaseEntity.findById(key);
    }

    @WithTransaction
    public Uni<Void> saveRelease(ReleaseEntity release) {
        return release.persist().replaceWithVoid();
    }

    @WithSession
    public Uni<Stats> stats() {
        return AcceptedSampleEntity.count().chain(accepted -> ReleaseEntity.count()
                .map(releases -> new Stats(accepted, releases)));
    }

    /** Counts read by {@code bin/vlit status}. */
    public record Stats(long accepted, long releases) {
    }
}
