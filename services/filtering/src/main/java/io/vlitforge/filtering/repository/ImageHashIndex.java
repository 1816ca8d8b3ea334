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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * READ COMMITTED) sees what the first one indexed. The look-up is one statement for the whole poll
 * ({@link #load}), the samples are checked against it in memory, and the images the poll indexed are written
 * in two statements at its end. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class ImageHashIndex {

    private static final String LOAD = """
            select h.image_id, h.hash, b.band, b.bucket from filtering.image_hash_bands b
            join filtering.image_hashes h on h.image_id = b.image_id
            where b.bands = ?1 and (b.band, b.bucket) in (select * from unnest(cast(?2 as int[]), cast(?3 as bigint[])))
            union all
            select image_id, hash, null, null from filtering.image_hashes where image_id = any(cast(?4 as text[]))""";
    private static final String INSERT_HASHES = """
            insert into filtering.image_hashes (image_id, hash, sample_id, first_seen_at)
            select i, h, s, ?4 from unnest(cast(?1 as text[]), cast(?2 as bigint[]), cast(?3 as text[])) as t(i, h, s)
            on conflict (image_id) do nothing""";
    private static final String INSERT_BANDS = """
            insert into filtering.image_hash_bands (bands, band, bucket, image_id)
            select ?1, b, k, i from unnest(cast(?2 as int[]), cast(?3 as bigint[]), cast(?4 as text[])) as t(b, k, i)
            on conflict do nothing""";

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
     * The indexed images a poll's samples can meet: those of the samples' own images, and those sharing a band
     * value with one of their hashes. The caller must hold the samples' band keys ({@link #lockBuckets}), so
     * no other replica can index a near image until the poll commits; the samples are then checked against
     * this snapshot one after the other ({@link PollIndexes#checkImage}).
     */
    public Uni<Snapshot> load(Mutiny.Session session, NearImageFilter filter, Collection<Sample> samples) {
        TreeSet<Key> keys = new TreeSet<>(KEY_ORDER);
        Set<String> imageIds = new HashSet<>();
        for (Sample sample : samples) {
            Long hash = NearImageFilter.hashOf(sample);
            if (hash != null) {
                imageIds.add(sample.imageId());
                long[] values = filter.bandValues(hash);
                for (int band = 0; band < values.length; band++) {
                    keys.add(new Key(band, values[band]));
                }
            }
        }
        Snapshot snapshot = new Snapshot(new HashMap<>(), new HashMap<>());
        if (imageIds.isEmpty()) {
            return Uni.createFrom().item(snapshot);
        }
        return session.createNativeQuery(LOAD, Object[].class).setParameter(1, filter.bands())
                .setParameter(2, keys.stream().map(Key::band).toArray(Integer[]::new))
                .setParameter(3, keys.stream().map(Key::bucket).toArray(Long[]::new))
                .setParameter(4, imageIds.toArray(String[]::new)).getResultList().map(rows -> {
                    for (Object[] row : rows) {
                        String imageId = (String) row[0];
                        snapshot.hashes().put(imageId, ((Number) row[1]).longValue());
                        if (row[2] != null) {
                            snapshot.bands().computeIfAbsent(new PollIndexes.ImageKey(((Number) row[2]).intValue(),
                                    ((Number) row[3]).longValue()), k -> new LinkedHashSet<>()).add(imageId);
                        }
                    }
                    return snapshot;
                });
    }

    /** Indexed images (id to hash) and the images under each band value, of the configured band layout. */
    public record Snapshot(Map<String, Long> hashes, Map<PollIndexes.ImageKey, Set<String>> bands) {
    }

    /** Indexes the images a poll accepted first: one row per image and one per band value. */
    public Uni<Void> insert(Mutiny.Session session, NearImageFilter filter, Collection<PollIndexes.IndexedImage> images,
            OffsetDateTime now) {
        if (images.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<PollIndexes.IndexedImage> list = new ArrayList<>(images);
        List<Integer> bands = new ArrayList<>();
        List<Long> buckets = new ArrayList<>();
        List<String> bandImages = new ArrayList<>();
        for (PollIndexes.IndexedImage image : list) {
            long[] values = image.bandValues();
            for (int band = 0; band < values.length; band++) {
                bands.add(band);
                buckets.add(values[band]);
                bandImages.add(image.imageId());
            }
        }
        return session.createNativeQuery(INSERT_HASHES)
                .setParameter(1, list.stream().map(PollIndexes.IndexedImage::imageId).toArray(String[]::new))
                .setParameter(2, list.stream().map(PollIndexes.IndexedImage::hash).toArray(Long[]::new))
                .setParameter(3, list.stream().map(PollIndexes.IndexedImage::sampleId).toArray(String[]::new))
                .setParameter(4, now).executeUpdate()
                .chain(() -> session.createNativeQuery(INSERT_BANDS).setParameter(1, filter.bands())
                        .setParameter(2, bands.toArray(Integer[]::new)).setParameter(3, buckets.toArray(Long[]::new))
                        .setParameter(4, bandImages.toArray(String[]::new)).executeUpdate())
                .replaceWithVoid();
    }
}
