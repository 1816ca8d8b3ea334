package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.QuotaFilter;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The quota counts in PostgreSQL, so that a quota holds across replicas. A batch counts all its samples at
 * once at the end of its transaction: the rows of every key it needs are created if missing and locked in
 * one sorted {@code SELECT ... FOR UPDATE}, so two replicas lock shared counters in the same order and
 * cannot deadlock; the samples then take the remaining places in batch order and the counters are written
 * back. Another replica's batch waits for the lock, then sees the new counts.
 */
@ApplicationScoped
public class QuotaCounter {

    /** A sample that passed every other filter, with the verdict list its quota verdict is added to. */
    public record Candidate(Sample sample, List<Verdict> verdicts) {
    }

    private record Key(String dimension, String key) implements Comparable<Key> {

        @Override
        public int compareTo(Key o) {
            int c = dimension.compareTo(o.dimension);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    /**
     * Adds a quota verdict to every candidate; returns the samples the quota rejected, whose duplicate-index
     * entries the caller gives back.
     */
    public Uni<List<Sample>> count(Mutiny.Session session, QuotaFilter quota, List<Candidate> candidates) {
        TreeSet<Key> keys = new TreeSet<>();
        for (Candidate c : candidates) {
            keysOf(quota, c.sample()).forEach(keys::add);
        }
        if (keys.isEmpty()) {
            candidates.forEach(c -> c.verdicts().add(quota.notCounted()));
            return Uni.createFrom().item(List.of());
        }
        List<Key> sorted = new ArrayList<>(keys);
        StringBuilder insert = new StringBuilder(
                "insert into filtering.quota_counts (dimension, quota_key, accepted) values ");
        StringBuilder select = new StringBuilder("select dimension, quota_key, accepted from filtering.quota_counts "
                + "where (dimension, quota_key) in (");
        for (int i = 0; i < sorted.size(); i++) {
            insert.append(i == 0 ? "" : ", ").append("(?").append(2 * i + 1).append(", ?").append(2 * i + 2)
                    .append(", 0)");
            select.append(i == 0 ? "" : ", ").append("(?").append(2 * i + 1).append(", ?").append(2 * i + 2)
                    .append(')');
        }
        insert.append(" on conflict (dimension, quota_key) do nothing");
        select.append(") order by dimension, quota_key for update");
        var create = session.createNativeQuery(insert.toString());
        var lock = session.createNativeQuery(select.toString(), Object[].class);
        for (int i = 0; i < sorted.size(); i++) {
            create.setParameter(2 * i + 1, sorted.get(i).dimension()).setParameter(2 * i + 2, sorted.get(i).key());
            lock.setParameter(2 * i + 1, sorted.get(i).dimension()).setParameter(2 * i + 2, sorted.get(i).key());
        }
        return create.executeUpdate().chain(() -> lock.getResultList()).chain(rows -> {
            Map<Key, Long> counts = new HashMap<>();
            rows.forEach(r -> counts.put(new Key((String) r[0], (String) r[1]), ((Number) r[2]).longValue()));
            Map<Key, Long> before = new HashMap<>(counts);
            List<Sample> rejected = new ArrayList<>();
            for (Candidate c : candidates) {
                List<Key> own = keysOf(quota, c.sample());
                Key full = own.stream().filter(k -> counts.get(k) >= quota.limit(k.dimension(), k.key()))
                        .findFirst().orElse(null);
                if (own.isEmpty()) {
                    c.verdicts().add(quota.notCounted());
                } else if (full != null) {
                    c.verdicts().add(quota.full(full.dimension(), full.key(), quota.limit(full.dimension(),
                            full.key())));
                    rejected.add(c.sample());
                } else {
                    long position = 0;
                    long tightest = Long.MAX_VALUE;
                    long room = Long.MAX_VALUE;
                    for (Key k : own) {
                        long now = counts.merge(k, 1L, Long::sum);
                        long limit = quota.limit(k.dimension(), k.key());
                        if (limit - now < room) {
                            room = limit - now;
                            position = now;
                            tightest = limit;
                        }
                    }
                    c.verdicts().add(quota.counted(position, tightest));
                }
            }
            Uni<Void> writes = Uni.createFrom().voidItem();
            for (Key k : sorted) {
                long added = counts.get(k) - before.get(k);
                if (added > 0) {
                    writes = writes.chain(() -> session.createNativeQuery("update filtering.quota_counts set "
                            + "accepted = accepted + ?1 where dimension = ?2 and quota_key = ?3")
                            .setParameter(1, added).setParameter(2, k.dimension()).setParameter(3, k.key())
                            .executeUpdate().replaceWithVoid());
                }
            }
            return writes.replaceWith(rejected);
        });
    }

    /** The keys with a limit that this sample counts against, in lock order. */
    private static List<Key> keysOf(QuotaFilter quota, Sample sample) {
        List<Key> keys = new ArrayList<>();
        String source = QuotaFilter.sourceOf(sample);
        if (quota.limit(QuotaFilter.SOURCE, source) != null) {
            keys.add(new Key(QuotaFilter.SOURCE, source));
        }
        if (quota.limit(QuotaFilter.TASK, sample.task()) != null) {
            keys.add(new Key(QuotaFilter.TASK, sample.task()));
        }
        return keys;
    }

    /** Every counter, for {@code GET /quotas}. */
    public Uni<List<Object[]>> all(Mutiny.Session session) {
        return session.createNativeQuery("select dimension, quota_key, accepted from filtering.quota_counts "
                + "order by dimension, quota_key", Object[].class).getResultList();
    }
}
