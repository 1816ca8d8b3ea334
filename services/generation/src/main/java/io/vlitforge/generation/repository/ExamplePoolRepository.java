package io.vlitforge.generation.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vlitforge.generation.selfinstruct.InContextRecipe.Example;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pool of accepted samples the in-context variant draws its few-shot examples from, and the symbolic
 * contexts self-instruct samples were written from (which the pool needs: an accepted sample carries no
 * boxes). On the reactive pool directly, like the response cache: many requests pick examples at once.
 * Every write is an upsert on the sample id, so a redelivered record changes nothing.
 */
@ApplicationScoped
public class ExamplePoolRepository {

    private final Pool pool;

    public ExamplePoolRepository(Pool pool) {
        this.pool = pool;
    }

    /** The context a self-instruct sample was written from. */
    public record SampleContext(String sampleId, String imageId, String context, OffsetDateTime createdAt) {
    }

    /**
     * An accepted sample offered to the pool; {@code fallbackContext} is used only when generation did not
     * keep the context the sample was written from.
     */
    public record Entry(String sampleId, String imageId, String task, String recipeId, long rankKey,
            String fallbackContext, String reply, OffsetDateTime acceptedAt) {
    }

    public Uni<Void> keepContexts(List<SampleContext> contexts) {
        if (contexts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>();
        for (SampleContext c : contexts) {
            rows.add(Tuple.of(c.sampleId(), c.imageId(), c.context(), c.createdAt()));
        }
        return pool.preparedQuery("insert into generation.sample_contexts (sample_id, image_id, context, created_at) "
                        + "values ($1, $2, $3, $4) on conflict (sample_id) do nothing")
                .executeBatch(rows).replaceWithVoid();
    }

    public Uni<Void> add(List<Entry> entries) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>();
        for (Entry e : entries) {
            rows.add(Tuple.tuple(Arrays.asList(e.sampleId(), e.imageId(), e.task(), e.recipeId(), e.rankKey(),
                    e.fallbackContext(), e.reply(), e.acceptedAt())));
        }
        return pool.preparedQuery("insert into generation.example_pool (sample_id, image_id, task, recipe_id, "
                        + "rank_key, context, reply, accepted_at) select $1, $2, $3, $4, $5, coalesce((select c.context "
                        + "from generation.sample_contexts c where c.sample_id = $1), $6), $7, $8 "
                        + "on conflict (sample_id) do nothing")
                .executeBatch(rows).replaceWithVoid();
    }

    /**
     * {@code k} examples of {@code task}: the first at or after {@code seed} in rank order, wrapping around
     * to the start; never one of the image itself (the model would copy it). Deterministic for a given pool.
     */
    public Uni<List<Example>> pick(String task, String imageId, long seed, int k) {
        return pool.preparedQuery("(select 0 as part, sample_id, context, reply, rank_key from generation.example_pool "
                        + "where task = $1 and image_id <> $2 and rank_key >= $3 order by rank_key limit $4) "
                        + "union all (select 1 as part, sample_id, context, reply, rank_key from generation.example_pool "
                        + "where task = $1 and image_id <> $2 and rank_key < $3 order by rank_key limit $4) "
                        + "order by part, rank_key")
                .execute(Tuple.of(task, imageId, seed, k))
                .map(rows -> {
                    List<Example> out = new ArrayList<>();
                    for (Row r : rows) {
                        if (out.size() < k) {
                            out.add(new Example(r.getString("sample_id"), r.getString("context"), r.getString("reply")));
                        }
                    }
                    return out;
                });
    }

    /** Pool entries per task, for {@code /stats}-style checks. */
    public Uni<Long> size(String task) {
        return pool.preparedQuery("select count(*) from generation.example_pool where task = $1")
                .execute(Tuple.of(task)).map(rows -> rows.iterator().next().getLong(0));
    }
}
