package io.vlitforge.filtering.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.entity.VerdictEntity;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides and records verdicts. The exact-duplicate test is an insert into {@code content_fingerprints}:
 * whichever sample's insert wins owns the content, every other sample with it is a duplicate. That holds
 * across any number of filtering replicas. A sample that already has a verdict gets it back unchanged.
 */
@ApplicationScoped
public class VerdictRepository {

    public static final String DUPLICATE_FILTER = "exact_duplicate";
    public static final String DUPLICATE_VERSION = "1";

    private static final TypeReference<List<Verdict>> VERDICT_LIST = new TypeReference<>() {
    };
    private static final String CLAIM_FINGERPRINT = """
            insert into filtering.content_fingerprints (content_hash, sample_id, first_seen_at)
            values (?1, ?2, ?3) on conflict (content_hash) do nothing""";
    private static final String FINGERPRINT_OWNER =
            "select sample_id from filtering.content_fingerprints where content_hash = ?1";

    /** The verdicts for a sample and whether they were decided now or replayed from an earlier delivery. */
    public record Decision(Verdict.Outcome outcome, List<Verdict> verdicts, boolean replayed) {
    }

    @WithTransaction
    public Uni<Decision> decide(Sample sample, Verdict format, String contentHash, OffsetDateTime now) {
        return VerdictEntity.<VerdictEntity>findById(sample.id()).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(replay(existing));
            }
            if (format.outcome() == Verdict.Outcome.REJECTED) {
                return record(sample, contentHash, List.of(format), now);
            }
            return Panache.getSession().chain(session -> session.createNativeQuery(CLAIM_FINGERPRINT)
                            .setParameter(1, contentHash).setParameter(2, sample.id()).setParameter(3, now)
                            .executeUpdate()
                            .chain(() -> session.createNativeQuery(FINGERPRINT_OWNER, String.class)
                                    .setParameter(1, contentHash).getSingleResult()))
                    .chain(owner -> {
                        List<Verdict> verdicts = new ArrayList<>(List.of(format));
                        verdicts.add(owner.equals(sample.id())
                                ? new Verdict(DUPLICATE_FILTER, DUPLICATE_VERSION, 0.0, 0.0, Verdict.Outcome.ACCEPTED,
                                        null, null)
                                : new Verdict(DUPLICATE_FILTER, DUPLICATE_VERSION, 1.0, 0.0, Verdict.Outcome.REJECTED,
                                        "duplicate.exact", "same image and conversation as sample " + owner));
                        return record(sample, contentHash, verdicts, now);
                    });
        });
    }

    private Uni<Decision> record(Sample sample, String contentHash, List<Verdict> verdicts, OffsetDateTime now) {
        Verdict failed = verdicts.stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED).findFirst()
                .orElse(null);
        VerdictEntity entity = new VerdictEntity();
        entity.sampleId = sample.id();
        entity.imageId = sample.imageId();
        entity.task = sample.task();
        entity.outcome = failed == null ? Verdict.Outcome.ACCEPTED.name() : Verdict.Outcome.REJECTED.name();
        entity.reason = failed == null ? null : failed.reason();
        entity.detail = failed == null ? null : failed.detail();
        entity.contentHash = contentHash;
        entity.verdictsJson = EventJson.write(verdicts);
        entity.decidedAt = now;
        return entity.persist().replaceWith(new Decision(Verdict.Outcome.valueOf(entity.outcome), verdicts, false));
    }

    private static Decision replay(VerdictEntity existing) {
        try {
            List<Verdict> verdicts = EventJson.mapper().readValue(existing.verdictsJson, VERDICT_LIST);
            return new Decision(Verdict.Outcome.valueOf(existing.outcome), verdicts, true);
        } catch (Exception e) {
            throw new IllegalStateException("stored verdicts of " + existing.sampleId + " are unreadable", e);
        }
    }

    @WithSession
    public Uni<Stats> stats() {
        return Panache.getSession().chain(session -> session.createSelectionQuery(
                        "select v.outcome, v.reason, count(*) from VerdictEntity v group by v.outcome, v.reason",
                        Object[].class).getResultList())
                .map(rows -> {
                    long accepted = 0;
                    long rejected = 0;
                    Map<String, Long> byReason = new LinkedHashMap<>();
                    for (Object[] row : rows) {
                        long n = (Long) row[2];
                        if (Verdict.Outcome.ACCEPTED.name().equals(row[0])) {
                            accepted += n;
                        } else {
                            rejected += n;
                            byReason.merge(String.valueOf(row[1]), n, Long::sum);
                        }
                    }
                    return new Stats(accepted + rejected, accepted, rejected, byReason);
                });
    }

    /** Counts read by {@code bin/vlit status}. */
    public record Stats(long verdicts, long accepted, long rejected, Map<String, Long> rejectedByReason) {
    }
}
