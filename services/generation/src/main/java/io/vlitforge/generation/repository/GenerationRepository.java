package io.vlitforge.generation.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.json.EventJson;
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
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, INSERT_PROCESSED,
                        " on conflict (image_id, recipe_id, recipe_version) do nothing", 6, images,
                        (image, q, p) -> q.setParameter(p, image.imageId()).setParameter(p + 1, recipe.id())
                                .setParameter(p + 2, recipe.version())
                                .setParameter(p + 3, samplesPerImage.get(image.imageId()))
                                .setParameter(p + 4, image.ingestRunId()).setParameter(p + 5, at))
                .chain(() -> MultiRowInsert.insert(session, INSERT_SAMPLES, " on conflict (sample_id) do nothing", 9,
                        samples, (sample, q, p) -> q.setParameter(p, sample.id()).setParameter(p + 1, sample.imageId())
                                .setParameter(p + 2, sample.task()).setParameter(p + 3, sample.lineage().templateId())
                                .setParameter(p + 4, sample.lineage().recipe().id())
                                .setParameter(p + 5, sample.lineage().recipe().version())
                                .setParameter(p + 6, sample.lineage().recipe().hash())
                                .setParameter(p + 7, sample.lineage().seed()).setParameter(p + 8, at)))
                .replaceWithVoid());
    }

    private static final String UPSERT_IMAGES = "insert into generation.adaption_images (image_id, event, updated_at) values ";

    /**
     * Keeps the latest record of each image, so a later run can regenerate it under another recipe. A later
     * record of the same image (after a merge of sources) replaces the earlier one.
     */
    @WithTransaction
    public Uni<Void> storeImages(List<ImageIngested> images, OffsetDateTime at) {
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, UPSERT_IMAGES,
                " on conflict (image_id) do update set event = excluded.event, updated_at = excluded.updated_at", 3,
                images, (image, q, p) -> q.setParameter(p, image.imageId())
                        .setParameter(p + 1, EventJson.write(image)).setParameter(p + 2, at)))
                .replaceWithVoid();
    }

    /** A page of stored images in image-id order after {@code afterId}, optionally only {@code imageIds}. */
    @WithSession
    public Uni<List<ImageIngested>> storedImages(String afterId, int limit, List<String> imageIds) {
        String where = imageIds.isEmpty() ? "" : " and image_id in (:ids)";
        var query = Panache.getSession().chain(session -> {
            var q = session.createNativeQuery("select event from generation.adaption_images where image_id > :after"
                    + where + " order by image_id limit :limit", String.class)
                    .setParameter("after", afterId).setParameter("limit", limit);
            if (!imageIds.isEmpty()) {
                q.setParameter("ids", imageIds);
            }
            return q.getResultList();
        });
        return query.map(rows -> rows.stream().map(e -> EventJson.read(e, ImageIngested.class)).toList());
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
