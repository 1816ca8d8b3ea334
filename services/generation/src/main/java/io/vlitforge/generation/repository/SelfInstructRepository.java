package io.vlitforge.generation.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vlitforge.shared.model.ChatResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The self-instruct tables, on the reactive pool directly rather than a Hibernate session: the cache is
 * read and written by many model calls at once, which one session cannot do. Every write is an upsert
 * keyed by a deterministic id, so a redelivered image changes nothing.
 */
@ApplicationScoped
public class SelfInstructRepository {

    private final Pool pool;

    public SelfInstructRepository(Pool pool) {
        this.pool = pool;
    }

    /** A reply that became no sample: the reason and, when there was one, the raw reply. */
    public record Rejection(String rejectionId, String imageId, String recipeId, String step, String model,
            String promptHash, String reason, String rawReply, OffsetDateTime createdAt) {
    }

    public Uni<Optional<ChatResult>> cached(String cacheKey) {
        return pool.preparedQuery("select model, content, finish_reason, prompt_tokens, completion_tokens, cost_usd, "
                        + "latency_ms from generation.model_responses where cache_key = $1")
                .execute(Tuple.of(cacheKey))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.empty();
                    }
                    Row r = it.next();
                    return Optional.of(new ChatResult(r.getString("model"), r.getString("content"),
                            r.getString("finish_reason"), r.getLong("prompt_tokens"), r.getLong("completion_tokens"),
                            r.getLong("latency_ms"), 0, r.getDouble("cost_usd"), false));
                });
    }

    /** Stores a paid-for reply as soon as it arrives, before anything else can fail. */
    public Uni<Void> cache(String cacheKey, String step, String requestHash, String params, ChatResult result) {
        return pool.preparedQuery("insert into generation.model_responses (cache_key, step, model, request_hash, "
                        + "params, content, finish_reason, prompt_tokens, completion_tokens, cost_usd, latency_ms, "
                        + "created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                        + "on conflict (cache_key) do nothing")
                .execute(Tuple.tuple(List.of(cacheKey, step, result.model(), requestHash, params, result.content(),
                        result.finishReason() == null ? "" : result.finishReason(), result.promptTokens(),
                        result.completionTokens(), result.costUsd(), result.latencyMs(),
                        OffsetDateTime.now(ZoneOffset.UTC))))
                .replaceWithVoid();
    }

    public Uni<Void> reject(List<Rejection> rejections) {
        if (rejections.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>();
        for (Rejection r : rejections) {
            rows.add(Tuple.tuple(java.util.Arrays.asList(r.rejectionId(), r.imageId(), r.recipeId(), r.step(),
                    r.model(), r.promptHash(), r.reason(), r.rawReply(), r.createdAt())));
        }
        return pool.preparedQuery("insert into generation.generation_rejections (rejection_id, image_id, recipe_id, "
                        + "step, model, prompt_hash, reason, raw_reply, created_at) values ($1, $2, $3, $4, $5, $6, $7, "
                        + "$8, $9) on conflict (rejection_id) do update set reason = excluded.reason, "
                        + "raw_reply = excluded.raw_reply, model = excluded.model, created_at = excluded.created_at")
                .executeBatch(rows).replaceWithVoid();
    }

    /** The latest rejections, newest first, of one step or of all. */
    public Uni<List<Rejection>> rejections(Optional<String> step, Optional<String> imageId, int limit) {
        return pool.preparedQuery("select rejection_id, image_id, recipe_id, step, model, prompt_hash, reason, "
                        + "raw_reply, created_at from generation.generation_rejections "
                        + "where ($1::text is null or step = $1) and ($2::text is null or image_id = $2) "
                        + "order by created_at desc, rejection_id limit $3")
                .execute(Tuple.of(step.orElse(null), imageId.orElse(null), limit))
                .map(rows -> {
                    List<Rejection> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Rejection(r.getString("rejection_id"), r.getString("image_id"),
                                r.getString("recipe_id"), r.getString("step"), r.getString("model"),
                                r.getString("prompt_hash"), r.getString("reason"), r.getString("raw_reply"),
                                r.getOffsetDateTime("created_at")));
                    }
                    return out;
                });
    }
}
