package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.NearImageFilter;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The perceptual-hash index of pictures in PostgreSQL, so that near-duplicate picture decisions hold across
 * replicas and runs. An image is indexed (its hash, and one row per band value) by the first sample of it
 * that passes every filter up to {@code near_image}; a later sample of a different image within
 * {@code max-distance} bits of an indexed one is rejected, a later sample of an indexed image passes.
 * <p>
 * Concurrency: near-duplicate images always share a band key, so before a poll looks anything up it claims
 * every band key of its samples in {@code image_hash_buckets} with {@code INSERT ... ON CONFLICT DO UPDATE}
 * (which row-locks a key, or waits for the replica whose uncommitted insert holds it), all keys in one
 * sorted pass, so two replicas never lock in opposite orders. Two polls holding images that are near each
 * other are thereby decided one after the other, and the second one's look-up (a later statement, in
 * READ COMMITTED) sees what the first one indexed. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class ImageHashIndex {

    /** Band keys per lock statement, well below PostgreSQL's 65,535 bind parameters. */
    private static final int KEYS_PER_STATEMENT = 10_000;

    /** One band key. */
    private record Key(int band, long bucket) {
    }

    private static final Comparator<Key> KEY_ORDER = Comparator.comparingInt(Key::band).thenComparingLong(Key::bucket);

    /** What the index answered for one sample, and whether the sample's image was indexed by it now. */
    public record Result(Verdict verdict, boolean indexed) {
    }

    /** Claims (row-locks) every band key of the samples' hashes, in key order, until the transaction ends. */
    public Uni<Void> lockBuckets(Mutiny.Session session, NearImageFilter filter, Collection<Sample> samples) {
        TreeSet<Key> keys = new TreeSet<>(KEY_ORDER);
        for (Sample sample : samples) {
            Long hash = NearImageFilter.hashOf(sample);
            if (hash != null) {
                long[] values = filter.bandValues(hash);
                for (int band = 0; band < values.length; band++) {
                    keys.add(new Key(band, values[band]));
                }
            }
        }
        List<Key> sorted = new ArrayList<>(keys);
        Uni<Void> all = Uni.createFrom().voidItem();
        for (int from = 0; from < sorted.size(); from += KEYS_PER_STATEMENT) {
            List<Key> chunk = sorted.subList(from, Math.min(sorted.size(), from + KEYS_PER_STATEMENT));
            all = all.chain(() -> lock(session, filter.bands(), chunk));
        }
        return all;
    }

    private static Uni<Void> lock(Mutiny.Session session, int bands, List<Key> keys) {
        StringBuilder sql = new StringBuilder("insert into filtering.image_hash_buckets (bands, band, bucket) values ");
        for (int i = 0; i < keys.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append('(').append(bands).append(", ?").append(2 * i + 1).append(", ?")
                    .append(2 * i + 2).append(')');
        }
        sql.append(" on conflict (bands, band, bucket) do update set bands = excluded.bands");
        var query = session.createNativeQuery(sql.toString());
        for (int i = 0; i < keys.size(); i++) {
            query.setParameter(2 * i + 1, keys.get(i).band()).setParameter(2 * i + 2, keys.get(i).bucket());
        }
        return query.executeUpdate().replaceWithVoid();
    }

    /**
     * The sample's {@code near_image} verdict. A sample that passed every filter so far ({@code index}) and is
     * no near-duplicate indexes its image, unless the image is indexed already; any other sample is only
     * looked up. The caller must hold the sample's band keys ({@link #lockBuckets}).
     */
    public Uni<Result> check(Mutiny.Session session, NearImageFilter filter, Sample sample, boolean index,
            OffsetDateTime now) {
        Long hash = NearImageFilter.hashOf(sample);
        if (hash == null) {
            return Uni.createFrom().item(new Result(filter.noHash(sample), false));
        }
        long[] values = filter.bandValues(hash);
        StringBuilder sql = new StringBuilder("""
                select h.image_id, h.hash from filtering.image_hashes h where h.image_id = ?1 or h.image_id in (
                    select b.image_id from filtering.image_hash_bands b where b.bands = ?2 and (b.band, b.bucket) in (""");
        for (int band = 0; band < values.length; band++) {
            sql.append(band == 0 ? "" : ", ").append("(?").append(2 * band + 3).append(", ?").append(2 * band + 4)
                    .append(')');
        }
        sql.append("))");
        var query = session.createNativeQuery(sql.toString(), Object[].class).setParameter(1, sample.imageId())
                .setParameter(2, filter.bands());
        for (int band = 0; band < values.length; band++) {
            query.setParameter(2 * band + 3, band).setParameter(2 * band + 4, values[band]);
        }
        return query.getResultList().chain(rows -> {
            boolean known = false;
            NearImageFilter.Match nearest = null;
            for (Object[] row : rows) {
                String imageId = (String) row[0];
                if (imageId.equals(sample.imageId())) {
                    known = true;
                    continue;
                }
                int distance = NearImageFilter.distance(hash, ((Number) row[1]).longValue());
                if (nearest == null || distance < nearest.distance()
                        || distance == nearest.distance() && imageId.compareTo(nearest.imageId()) < 0) {
                    nearest = new NearImageFilter.Match(imageId, distance);
                }
            }
            if (known) {
                // The image itself was indexed first: its samples keep passing, whatever was indexed after it.
                return Uni.createFrom().item(new Result(filter.indexed(nearest), false));
            }
            Verdict verdict = filter.verdict(nearest);
            if (!index || verdict.outcome() != Verdict.Outcome.ACCEPTED) {
                return Uni.createFrom().item(new Result(verdict, false));
            }
            return insert(session, filter, sample, hash, values, now).replaceWith(new Result(verdict, true));
        });
    }

    private static Uni<Integer> insert(Mutiny.Session session, NearImageFilter filter, Sample sample, long hash,
            long[] values, OffsetDateTime now) {
        StringBuilder sql = new StringBuilder("with image as (insert into filtering.image_hashes (image_id, hash, "
                + "sample_id, first_seen_at) values (?1, ?2, ?3, ?4) on conflict (image_id) do nothing returning 1) "
                + "insert into filtering.image_hash_bands (bands, band, bucket, image_id) values ");
        for (int band = 0; band < values.length; band++) {
            int p = 4 * band + 5;
            sql.append(band == 0 ? "" : ", ").append("(?").append(p).append(", ?").append(p + 1).append(", ?")
                    .append(p + 2).append(", ?").append(p + 3).append(')');
        }
        sql.append(" on conflict do nothing");
        var query = session.createNativeQuery(sql.toString()).setParameter(1, sample.imageId()).setParameter(2, hash)
                .setParameter(3, sample.id()).setParameter(4, now);
        for (int band = 0; band < values.length; band++) {
            int p = 4 * band + 5;
            query.setParameter(p, filter.bands()).setParameter(p + 1, band).setParameter(p + 2, values[band])
                    .setParameter(p + 3, sample.imageId());
        }
        return query.executeUpdate();
    }

    /** Takes images out of the index again: images a poll indexed but none of whose samples it accepted. */
    public Uni<Void> release(Mutiny.Session session, Collection<String> imageIds) {
        if (imageIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] ids = imageIds.toArray(String[]::new);
        return session.createNativeQuery("delete from filtering.image_hash_bands where image_id = any(?1)")
                .setParameter(1, ids).executeUpdate()
                .chain(() -> session.createNativeQuery("delete from filtering.image_hashes where image_id = any(?1)")
                        .setParameter(1, ids).executeUpdate())
                .replaceWithVoid();
    }
}
