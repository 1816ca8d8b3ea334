package io.vlitforge.publication.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.publication.entity.AcceptedSampleEntity;
import io.vlitforge.publication.entity.ReleaseEntity;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;

/** The accepted-sample store and the release records. */
@ApplicationScoped
public class PublicationRepository {

    private static final String UPSERT_ACCEPTED = """
            insert into publication.accepted_samples (sample_id, image_id, image_key, task, sample_json, accepted_at)
            values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (sample_id) do nothing""";

    /** Stores an accepted sample once; a redelivery hits the primary key and changes nothing. */
    @WithTransaction
    public Uni<Integer> storeAccepted(String sampleId, String imageId, String imageKey, String task,
            String sampleJson, OffsetDateTime at) {
        return Panache.getSession().chain(session -> session.createNativeQuery(UPSERT_ACCEPTED)
                .setParameter(1, sampleId).setParameter(2, imageId).setParameter(3, imageKey)
                .setParameter(4, task).setParameter(5, sampleJson).setParameter(6, at)
                .executeUpdate());
    }

    /** Every accepted sample in sample-id order, so the same set always gives the same file. */
    @WithSession
    public Uni<List<AcceptedSampleEntity>> allAccepted() {
        return AcceptedSampleEntity.list("order by sampleId");
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
