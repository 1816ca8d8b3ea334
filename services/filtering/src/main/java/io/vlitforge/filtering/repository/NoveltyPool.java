package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.NoveltyFilter;
import io.vlitforge.shared.events.Sample;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The novelty pool in PostgreSQL, so that "new enough" holds across replicas: a batch first takes a
 * transaction-level advisory lock on every scope it will check, in sorted order (so two replicas cannot
 * deadlock), then each sample is compared with the most recent {@code poolSize} instructions of its scope and,
 * if it passed everything so far, added to the pool. The pool of a poll's scopes is read in one statement and
 * its new members written in one more. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class NoveltyPool {

    /** Locks the scopes of a batch in sorted order; the locks are released at commit. */
    public Uni<Void> lockScopes(Mutiny.Session session, NoveltyFilter novelty, List<Sample> samples) {
        TreeSet<String> scopes = new TreeSet<>();
        samples.forEach(s -> scopes.add(novelty.scopeOf(s)));
        if (!novelty.enabled() || scopes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return session.createNativeQuery("select count(pg_advisory_xact_lock(hashtext(s))) from (select distinct s "
                        + "from unnest(cast(?1 as text[])) s order by s) x", Long.class)
                .setParameter(1, scopes.toArray(String[]::new)).getSingleResult().replaceWithVoid();
    }

    /**
     * The most recent {@code poolSize + 1} members of each scope (one more, for a sample compared with a pool
     * that holds itself), most recent first: {@code [sample id, instructions]} per member. The caller holds the
     * scopes' locks ({@link #lockScopes}); the samples are checked against this in memory
     * ({@link PollIndexes#checkNovelty}).
     */
    public Uni<Map<String, List<Object[]>>> load(Mutiny.Session session, NoveltyFilter novelty, List<Sample> samples) {
        TreeSet<String> scopes = new TreeSet<>();
        samples.forEach(s -> scopes.add(novelty.scopeOf(s)));
        if (!novelty.enabled() || scopes.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return session.createNativeQuery("""
                        select scope, sample_id, instructions from (select scope, sample_id, instructions, added_at,
                            row_number() over (partition by scope order by added_at desc) as r
                            from filtering.novelty_pool where scope = any(cast(?1 as text[]))) x
                        where r <= ?2 order by scope, r""", Object[].class)
                .setParameter(1, scopes.toArray(String[]::new)).setParameter(2, novelty.poolSize() + 1)
                .getResultList().map(rows -> {
                    Map<String, List<Object[]>> pool = new HashMap<>();
                    rows.forEach(r -> pool.computeIfAbsent((String) r[0], k -> new ArrayList<>())
                            .add(new Object[] {r[1], r[2]}));
                    return pool;
                });
    }

    /** Adds the members a poll accepted. */
    public Uni<Void> insert(Mutiny.Session session, List<PollIndexes.PoolEntry> entries, OffsetDateTime now) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return session.createNativeQuery("""
                        insert into filtering.novelty_pool (scope, sample_id, instructions, added_at)
                        select c, s, i, ?4 from unnest(cast(?1 as text[]), cast(?2 as text[]), cast(?3 as text[]))
                            with ordinality as t(c, s, i, n) order by n
                        on conflict do nothing""")
                .setParameter(1, entries.stream().map(PollIndexes.PoolEntry::scope).toArray(String[]::new))
                .setParameter(2, entries.stream().map(PollIndexes.PoolEntry::sampleId).toArray(String[]::new))
                .setParameter(3, entries.stream().map(PollIndexes.PoolEntry::instructions).toArray(String[]::new))
                .setParameter(4, now).executeUpdate().replaceWithVoid();
    }
}
