package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.NearDuplicateFilter.Probe;
import io.vlitforge.filtering.repository.PollIndexes.BandKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The MinHash-LSH index in PostgreSQL, so that near-duplicate decisions hold across replicas and runs.
 * Band keys are claimed with {@code INSERT ... ON CONFLICT DO NOTHING}: if every key of a sample is new it
 * cannot be a near-duplicate of anything indexed; if some collide, their owners are the candidates and the
 * best estimated Jaccard decides (in {@link PollIndexes}). A rejected sample gives its keys back, so only
 * samples that passed are ever candidates. A poll claims the keys of all its samples in one statement, in
 * key order, so concurrent claims lock in the same order and cannot deadlock; a claim that collides with an
 * uncommitted one waits for it to commit. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class NearDuplicateIndex {

    private static final String CLAIM = """
            insert into filtering.near_duplicate_bands (band, bucket, sample_id)
            select b, k, s from unnest(cast(?1 as int[]), cast(?2 as bigint[]), cast(?3 as text[]))
                with ordinality as t(b, k, s, n) order by n
            on conflict (band, bucket) do nothing returning band, bucket""";
    private static final String OWNERS = """
            select b.band, b.bucket, b.sample_id, s.signature from filtering.near_duplicate_bands b
            left join filtering.near_duplicate_signatures s on s.sample_id = b.sample_id
            where (b.band, b.bucket) in (select * from unnest(cast(?1 as int[]), cast(?2 as bigint[])))""";
    private static final String DELETE = """
            delete from filtering.near_duplicate_bands where (band, bucket) in (
                select * from unnest(cast(?1 as int[]), cast(?2 as bigint[])))""";
    private static final String REASSIGN = """
            update filtering.near_duplicate_bands b set sample_id = t.s
            from unnest(cast(?1 as int[]), cast(?2 as bigint[]), cast(?3 as text[])) as t(band, bucket, s)
            where b.band = t.band and b.bucket = t.bucket""";
    private static final String SIGNATURES = """
            insert into filtering.near_duplicate_signatures (sample_id, scope, signature, first_seen_at)
            select s, c, g, ?4 from unnest(cast(?1 as text[]), cast(?2 as text[]), cast(?3 as text[])) as t(s, c, g)
            on conflict (sample_id) do nothing""";

    /** A band key's owner as stored, with its signature (null when it has none). */
    public record Owner(String sampleId, int[] signature) {
    }

    /**
     * Inserts every key (sorted by the caller) under the sample id given for it, where nobody holds it yet,
     * waiting for uncommitted claims of other transactions; the keys inserted.
     */
    public Uni<Set<BandKey>> claim(Mutiny.Session session, List<BandKey> keys, List<String> sampleIds) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return session.createNativeQuery(CLAIM, Object[].class).setParameter(1, bands(keys))
                .setParameter(2, buckets(keys)).setParameter(3, sampleIds.toArray(String[]::new)).getResultList()
                .map(rows -> {
                    Set<BandKey> inserted = new HashSet<>();
                    rows.forEach(r -> inserted.add(new BandKey(((Number) r[0]).intValue(), ((Number) r[1]).longValue())));
                    return inserted;
                });
    }

    /** Who holds each of these keys now, with their signatures. */
    public Uni<Map<BandKey, Owner>> owners(Mutiny.Session session, Collection<BandKey> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<BandKey> list = new ArrayList<>(keys);
        return session.createNativeQuery(OWNERS, Object[].class).setParameter(1, bands(list))
                .setParameter(2, buckets(list)).getResultList().map(rows -> {
                    Map<BandKey, Owner> owners = new HashMap<>();
                    Map<String, int[]> decoded = new HashMap<>();
                    for (Object[] r : rows) {
                        String owner = (String) r[2];
                        int[] signature = r[3] == null ? null : decoded.computeIfAbsent(owner, o -> decode((String) r[3]));
                        owners.put(new BandKey(((Number) r[0]).intValue(), ((Number) r[1]).longValue()),
                                new Owner(owner, signature));
                    }
                    return owners;
                });
    }

    /**
     * Writes a poll's end state: keys it inserted that nobody owns are deleted, keys that ended with another
     * sample than the one they were inserted under are given to it, and the signatures of the samples that
     * kept their keys are stored.
     */
    public Uni<Void> finish(Mutiny.Session session, List<BandKey> unowned, Map<BandKey, String> reassigned,
            Map<String, Probe> signatures, OffsetDateTime now) {
        Uni<Void> all = Uni.createFrom().voidItem();
        if (!unowned.isEmpty()) {
            all = all.chain(() -> session.createNativeQuery(DELETE).setParameter(1, bands(unowned))
                    .setParameter(2, buckets(unowned)).executeUpdate().replaceWithVoid());
        }
        if (!reassigned.isEmpty()) {
            List<BandKey> keys = new ArrayList<>(reassigned.keySet());
            all = all.chain(() -> session.createNativeQuery(REASSIGN).setParameter(1, bands(keys))
                    .setParameter(2, buckets(keys))
                    .setParameter(3, keys.stream().map(reassigned::get).toArray(String[]::new))
                    .executeUpdate().replaceWithVoid());
        }
        if (!signatures.isEmpty()) {
            List<String> ids = new ArrayList<>(signatures.keySet());
            all = all.chain(() -> session.createNativeQuery(SIGNATURES)
                    .setParameter(1, ids.toArray(String[]::new))
                    .setParameter(2, ids.stream().map(id -> signatures.get(id).scope()).toArray(String[]::new))
                    .setParameter(3, ids.stream().map(id -> encode(signatures.get(id).signature()))
                            .toArray(String[]::new))
                    .setParameter(4, now).executeUpdate().replaceWithVoid());
        }
        return all;
    }

    private static Integer[] bands(List<BandKey> keys) {
        return keys.stream().map(BandKey::band).toArray(Integer[]::new);
    }

    private static Long[] buckets(List<BandKey> keys) {
        return keys.stream().map(BandKey::bucket).toArray(Long[]::new);
    }

    static String encode(int[] signature) {
        ByteBuffer buffer = ByteBuffer.allocate(signature.length * Integer.BYTES);
        for (int value : signature) {
            buffer.putInt(value);
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    static int[] decode(String text) {
        ByteBuffer buffer = ByteBuffer.wrap(Base64.getDecoder().decode(text));
        int[] signature = new int[buffer.remaining() / Integer.BYTES];
        for (int i = 0; i < signature.length; i++) {
            signature[i] = buffer.getInt();
        }
        return signature;
    }
}
