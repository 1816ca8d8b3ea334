package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The exact-duplicate index in PostgreSQL: {@code content_fingerprints} has one row per content hash, and
 * whichever sample's insert wins owns the content, on every replica. A poll inserts the fingerprints of all
 * its samples that may claim one in one statement, in hash order (a collision with another transaction's
 * uncommitted row waits for it), looks up the owners of the rest in one more, and writes its end state
 * ({@link PollIndexes}) before it commits. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class ContentFingerprints {

    private static final String CLAIM = """
            insert into filtering.content_fingerprints (content_hash, sample_id, first_seen_at)
            select h, s, ?3 from unnest(cast(?1 as text[]), cast(?2 as text[])) with ordinality as t(h, s, n)
            order by n
            on conflict (content_hash) do nothing returning content_hash""";
    private static final String OWNERS =
            "select content_hash, sample_id from filtering.content_fingerprints where content_hash = any(cast(?1 as text[]))";
    private static final String DELETE =
            "delete from filtering.content_fingerprints where content_hash = any(cast(?1 as text[]))";
    private static final String REASSIGN = """
            update filtering.content_fingerprints f set sample_id = t.s
            from unnest(cast(?1 as text[]), cast(?2 as text[])) as t(h, s) where f.content_hash = t.h""";

    /** Inserts each hash (sorted by the caller) under its sample id where nobody holds it; the hashes inserted. */
    public Uni<Set<String>> claim(Mutiny.Session session, List<String> hashes, List<String> sampleIds,
            OffsetDateTime now) {
        if (hashes.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return session.createNativeQuery(CLAIM, String.class).setParameter(1, hashes.toArray(String[]::new))
                .setParameter(2, sampleIds.toArray(String[]::new)).setParameter(3, now).getResultList()
                .map(HashSet::new);
    }

    /** The owner of each of these hashes that has one. */
    public Uni<Map<String, String>> owners(Mutiny.Session session, Collection<String> hashes) {
        if (hashes.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return session.createNativeQuery(OWNERS, Object[].class).setParameter(1, hashes.toArray(String[]::new))
                .getResultList().map(rows -> {
                    Map<String, String> owners = new HashMap<>();
                    rows.forEach(r -> owners.put((String) r[0], (String) r[1]));
                    return owners;
                });
    }

    /** Deletes the inserted fingerprints nobody owns in the end and gives the others to their final owners. */
    public Uni<Void> finish(Mutiny.Session session, List<String> unowned, Map<String, String> reassigned) {
        Uni<Void> all = Uni.createFrom().voidItem();
        if (!unowned.isEmpty()) {
            all = all.chain(() -> session.createNativeQuery(DELETE).setParameter(1, unowned.toArray(String[]::new))
                    .executeUpdate().replaceWithVoid());
        }
        if (!reassigned.isEmpty()) {
            List<String> hashes = new ArrayList<>(reassigned.keySet());
            all = all.chain(() -> session.createNativeQuery(REASSIGN).setParameter(1, hashes.toArray(String[]::new))
                    .setParameter(2, hashes.stream().map(reassigned::get).toArray(String[]::new))
                    .executeUpdate().replaceWithVoid());
        }
        return all;
    }
}
