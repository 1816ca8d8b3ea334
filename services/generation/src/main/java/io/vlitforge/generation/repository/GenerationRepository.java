package io.vlitforge.generation.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.shared.events.Sample;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes the generation lineage with {@code INSERT ... ON CONFLICT DO NOTHING}: the keys are the
 * deterministic ids, so a redelivered image leaves the tables exactly as they were.
 */
@ApplicationScoped
public class GenerationRepository {

    private static final String INSERT_SAMPLE = """
            insert into generation.generated_samples
                (sample_id, image_id, task, template_id, recipe_id, recipe_version, recipe_hash, seed, created_at)
            values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            on conflict (sample_id) do nothing""";
    private static final String INSERT_PROCESSED = """
            insert into generation.processed_images
                (image_id, recipe_id, recipe_version, samples, ingest_run_id, processed_at)
            values (?1, ?2, ?3, ?4, ?5, ?6)
            on conflict (image_id, recipe_id, recipe_version) do nothing""";

    @WithTransaction
    public Uni<Void> recordGenerated(String imageId, String recipeId, String recipeVersion, String ingestRunId,
            List<Sample> samples, OffsetDateTime at) {
        Uni<Void> chain = Panache.getSession().chain(session -> session.createNativeQuery(INSERT_PROCESSED)
                .setParameter(1, imageId).setParameter(2, recipeId).setParameter(3, recipeVersion)
                .setParameter(4, samples.size()).setParameter(5, ingestRunId).setParameter(6, at)
                .executeUpdate()).replaceWithVoid();
        for (Sample s : samples) {
            chain = chain.chain(() -> Panache.getSession().chain(session -> session.createNativeQuery(INSERT_SAMPLE)
                    .setParameter(1, s.id()).setParameter(2, s.imageId()).setParameter(3, s.task())
                    .setParameter(4, s.lineage().templateId()).setParameter(5, s.lineage().recipe().id())
                    .setParameter(6, s.lineage().recipe().version()).setParameter(7, s.lineage().recipe().hash())
                    .setParameter(8, s.lineage().seed()).setParameter(9, at)
                    .executeUpdate())).replaceWithVoid();
        }
        return chain;
    }

    @WithSession
    public Uni<Stats> stats() {
        return Panache.getSession().chain(session -> session
                .createSelectionQuery("select count(*) from ProcessedImageEntity", Long.class).getSingleResult()
                .chain(images -> session.createSelectionQuery(
                        "select g.task, count(*) from GeneratedSampleEntity g group by g.task order by g.task",
                        Object[].class).getResultList()
                        .map(rows -> {
                            Map<String, Long> byTask = new LinkedHashMap<>();
                            long total = 0;
                            for (Object[] row : rows) {
                                byTask.put((String) row[0], (Long) row[1]);
                                total += (Long) row[1];
                            }
                            return new Stats(images, total, byTask);
                        })));
    }

    /** Counts read by {@code bin/vlit status}. */
    public record Stats(long imagesProcessed, long samples, Map<String, Long> samplesByTask) {
    }
}
