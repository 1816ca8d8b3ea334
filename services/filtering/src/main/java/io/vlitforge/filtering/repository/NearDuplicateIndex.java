package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.MinHash;
import io.vlitforge.filtering.filters.NearDuplicateFilter.Match;
import io.vlitforge.filtering.filters.NearDuplicateFilter.Probe;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The MinHash-LSH index in PostgreSQL, so that near-duplicate decisions hold across replicas and runs.
 * A sample claims its band keys with {@code INSERT ... ON CONFLICT DO NOTHING}: if every key is new it
 * cannot be a near-duplicate of anything indexed; if some collide, their owners are the candidates and
 * the best estimated Jaccard decides. A rejected sample gives its keys back, so only samples that passed
 * are ever candidates. Keys are inserted in band order in one statement, so concurrent claims lock in the
 * same order and cannot deadlock; a claim that collides with an uncommitted one waits for it to commit.
 * Runs inside the caller's transaction.
 */
@ApplicationScoped
public class NearDuplicateIndex {

    /** Claims the sample's keys; the best confirmed or unconfirmed candidate, or null when nothing collided. */
    public Uni<Match> claim(Mutiny.Session session, String sampleId, Probe probe, double threshold,
            OffsetDateTime now) {
        long[] keys = probe.bandKeys();
        // Band keys and signature go in one statement: when every key is new (the common case) the claim
        // is one round trip. A confirmed near-duplicate takes both back out.
        StringBuilder sql = new StringBuilder(
                "with claimed as (insert into filtering.near_duplicate_bands (band, bucket, sample_id) values ");
        for (int band = 0; band < keys.length; band++) {
            sql.append(band == 0 ? "" : ", ").append("(?").append(3 * band + 1).append(", ?")
                    .append(3 * band + 2).append(", ?").append(3 * band + 3).append(')');
        }
        int s = 3 * keys.length;
        sql.append(" on conflict (band, bucket) do nothing returning 1), signature as (insert into "
                + "filtering.near_duplicate_signatures (sample_id, scope, signature, first_seen_at) values (?")
                .append(s + 1).append(", ?").append(s + 2).append(", ?").append(s + 3).append(", ?").append(s + 4)
                .append(") on conflict (sample_id) do nothing returning 1) select count(*) from claimed");
        var insert = session.createNativeQuery(sql.toString(), Long.class);
        for (int band = 0; band < keys.length; band++) {
            insert.setParameter(3 * band + 1, band).setParameter(3 * band + 2, keys[band])
                    .setParameter(3 * band + 3, sampleId);
        }
        insert.setParameter(s + 1, sampleId).setParameter(s + 2, probe.scope())
                .setParameter(s + 3, encode(probe.signature())).setParameter(s + 4, now);
        return insert.getSingleResult().chain(inserted -> {
            if (inserted == keys.length) {
                return Uni.createFrom().nullItem();
            }
            return bestCandidate(session, sampleId, probe).chain(match -> {
                if (match != null && match.jaccard() >= threshold) {
                    return release(session, sampleId).replaceWith(match);
                }
                return Uni.createFrom().item(match);
            });
        });
    }

    /** Takes a sample's band keys and signature back out, for a sample rejected after it claimed them. */
    public Uni<Void> release(Mutiny.Session session, String sampleId) {
        return session.createNativeQuery("delete from filtering.near_duplicate_bands where sample_id = ?1")
                .setParameter(1, sampleId).executeUpdate()
                .chain(() -> session.createNativeQuery(
                        "delete from filtering.near_duplicate_signatures where sample_id = ?1")
                        .setParameter(1, sampleId).executeUpdate())
                .replaceWithVoid();
    }

    /**
     * The most similar indexed sample sharing a band key, without claiming anything: used for samples that
     * another filter already rejected, so they still get a near-duplicate verdict but never enter the index.
     */
    public Uni<Match> bestCandidate(Mutiny.Session session, String sampleId, Probe probe) {
        long[] keys = probe.bandKeys();
        StringBuilder sql = new StringBuilder("""
                select s.sample_id, s.signature from filtering.near_duplicate_signatures s
                where s.sample_id <> ?1 and s.sample_id in (
                    select b.sample_id from filtering.near_duplicate_bands b where (b.band, b.bucket) in (""");
        for (int band = 0; band < keys.length; band++) {
            sql.append(band == 0 ? "" : ", ").append("(?").append(2 * band + 2).append(", ?")
                    .append(2 * band + 3).append(')');
        }
        sql.append(")) order by s.sample_id");
        var query = session.createNativeQuery(sql.toString(), Object[].class).setParameter(1, sampleId);
        for (int band = 0; band < keys.length; band++) {
            query.setParameter(2 * band + 2, band).setParameter(2 * band + 3, keys[band]);
        }
        return query.getResultList().map(rows -> best(rows, probe.signature()));
    }

    private static Match best(List<Object[]> rows, int[] signature) {
        Match best = null;
        for (Object[] row : rows) {
            double jaccard = MinHash.estimatedJaccard(signature, decode((String) row[1]));
            if (best == null || jaccard > best.jaccard()) {
                best = new Match((String) row[0], jaccard);
            }
        }
        return best;
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
