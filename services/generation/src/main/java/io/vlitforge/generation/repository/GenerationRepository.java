package io.vlitforge.generation.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.sql.MultiRowInsert;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the generation lineage of a whole batch in one transaction, with multi-row
 * {@code INSERT ... ON CONFLICT DO NOTHING}: the keys are the deterministic ids, so a redelivered batch
 * leaves the tables exactly as they were.
 */
@ApplicationScoped
public class GenerationRepository {

    /** Rows per statement; PostgreSQL allows 65535 parameters, and 500 rows keep statements small. */
    private static final int ROWS_PER_STATEMENT = 500;
    private static final String INSERT_SAMPLES = "insert into generation.generated_samples (sample_id, image_id, "
            + "task, template_id, recipe_id, recipe_version, recipe_hash, seed, created_at) values ";
    private static final String INSERT_PROCESSED = "insert into generation.processed_images (image_id, recipe_id, "
            + "recipe_version, samples, ingest_run_id, processed_at) values ";

    @WithTransaction
    public Uni<Void> recordGenerated(List<ImageIngested> images, Recipe recipe, List<Sample> samples,
            OffsetDateTime at) {
        Map<String, Integer> samplesPerImage = new LinkedHashMap<>();
        images.forEach(i -> samplesPerImage.put(i.imageId(), 0));
        samples.forEach(s -> samplesPerImage.merge(s.imageId(), 1, Integer::sum));
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < images.size(); from += ROWS_PER_STATEMENT) {
            List<ImageIngested> chunk = images.subList(from, Math.min(images.size(), from + ROWS_PER_STATEMENT));
            chain = chain.chain(() -> Panache.getSession().chain(session -> {
                var query = session.createNativeQuery(INSERT_PROCESSED + MultiRowInsert.values(chunk.size(), 6)
                        + " on conflict (image_id, recipe_id, recipe_version) do nothing");
                int p = 1;
                for (ImageIngested image : chunk) {
                    query.setParameter(p++, image.imageId()).setParameter(p++, recipe.id())
                            .setParameter(p++, recipe.version()).setParameter(p++, samplesPerImage.get(image.imageId()))
                            .setParameter(p++, image.ingestRunId()).setParameter(p++, at);
                }
                return query.executeUpdate();
            })).replaceWithVoid();
        }
        for (int from = 0; from < samples.size(); from += ROWS_PER_STATEMENT) {
            List<Sample> chunk = samples.subList(from, Math.min(samples.size(), from + ROWS_PER_STATEMENT));
            chain = chain.chain(() -> Panache.getSession().chain(session -> {
                var query = session.createNativeQuery(INSERT_SAMPLES + MultiRowInsert.values(chunk.size(), 9)
                        + " on conflict (sample_id) do nothing");
                int p = 1;
                for (Sample s : chunk) {
                    query.setParameter(p++, s.id()).setParameter(p++, s.imageId()).setParameter(p++, s.task())
                            .setParameter(p++, s.lineage().templateId()).setParameter(p++, s.lineage().recipe().id())
                            .setParameter(p++, s.lineage().recipe().version())
                            .setParameter(p++, s.lineage().recipe().hash()).setParameter(p++, s.lineage().seed())
                            .setParameter(p++, at);
                }
                return query.executeUpdate();
            })).replaceWithVoid();
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
