package io.vlitforge.filtering.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.entity.VerdictEntity;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.NearDuplicateFilter;
import io.vlitforge.filtering.filters.QuotaFilter;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.sql.MultiRowInsert;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Decides and records verdicts. The content filters' verdicts come in; the duplicate filters run
 * here, in the transaction that records the verdict, because their state is shared by every replica:
 * the exact-duplicate test is an insert into {@code content_fingerprints} (whichever sample's insert wins
 * owns the content), the near-duplicate test is a claim on the LSH band keys ({@link NearDuplicateIndex}) and
 * the near-duplicate picture test a look-up in the perceptual-hash index under locked band keys
 * ({@link ImageHashIndex}).
 * A sample another filter already rejected is only looked up, never claims a fingerprint or band keys, so
 * a rejected sample can never make a later good one a "duplicate". Every filter's verdict is stored; the
 * row's {@code reason} is the first failing filter's. A sample that already has a verdict gets it back
 * unchanged, so a redelivery changes nothing.
 */
@ApplicationScoped
public class VerdictRepository {

    private static final TypeReference<List<Verdict>> VERDICT_LIST = new TypeReference<>() {
    };
    private static final String CLAIM_FINGERPRINT = """
            insert into filtering.content_fingerprints (content_hash, sample_id, first_seen_at)
            values (?1, ?2, ?3) on conflict (content_hash) do nothing returning sample_id""";
    private static final String INSERT_VERDICTS = "insert into filtering.verdicts (sample_id, image_id, task, "
            + "outcome, reason, detail, content_hash, verdicts_json, decided_at, chain_version, recipe, "
            + "source_dataset, lineage_json) values ";
    private static final String FINGERPRINT_OWNER =
            "select sample_id from filtering.content_fingerprints where content_hash = ?1";

    private final NearDuplicateIndex nearDuplicates;
    private final QuotaCounter quotas;
    private final NoveltyPool novelty;
    private final ImageHashIndex images;

    public VerdictRepository(NearDuplicateIndex nearDuplicates, QuotaCounter quotas, NoveltyPool novelty,
            ImageHashIndex images) {
        this.nearDuplicates = nearDuplicates;
        this.images = images;
        this.quotas = quotas;
        this.novelty = novelty;
    }

    /** The verdicts for a sample and whether they were decided now or replayed from an earlier delivery. */
    public record Decision(Verdict.Outcome outcome, List<Verdict> verdicts, boolean replayed) {
    }

    /** A sample of a batch with the verdicts of the content filters, which need no shared state. */
    public record Pending(Sample sample, List<Verdict> contentVerdicts) {

        /** The same sample with one more verdict decided before the transaction (the model judge's). */
        public Pending with(Verdict verdict) {
            List<Verdict> more = new ArrayList<>(contentVerdicts);
            more.add(verdict);
            return new Pending(sample, more);
        }
    }

    /**
     * The ids among these that already have a stored decision: a redelivered sample replays it, so the
     * model judge must not be asked (and paid) again.
     */
    @WithSession
    public Uni<Set<String>> decided(List<String> sampleIds) {
        if (sampleIds.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select sample_id from filtering.verdicts where sample_id = any(?1)", String.class)
                .setParameter(1, sampleIds.toArray(String[]::new)).getResultList())
                .map(rows -> (Set<String>) new HashSet<>(rows));
    }

    @WithTransaction
    public Uni<Decision> decide(Sample sample, List<Verdict> contentVerdicts, FilterChain chain,
            OffsetDateTime now) {
        return decideAll(List.of(new Pending(sample, contentVerdicts)), chain, now).map(d -> d.get(0));
    }

    /**
     * Decides a whole batch in one transaction, one sample after the other, so a sample sees the
     * fingerprints and band keys of the samples before it in the same batch. One commit per batch
     * instead of one per sample is what lets filtering keep up with generation. Quotas are counted last,
     * for the whole batch at once ({@link QuotaCounter}); a sample the quota turns away gives its
     * fingerprint and band keys back, so it never makes a later sample a duplicate.
     */
    @WithTransaction
    public Uni<List<Decision>> decideAll(List<Pending> batch, FilterChain chain, OffsetDateTime now) {
        List<String> ids = batch.stream().map(p -> p.sample().id()).distinct().toList();
        // One query for the verdicts the batch already has (redeliveries), instead of one lookup per sample.
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select sample_id, outcome, verdicts_json from filtering.verdicts where sample_id = any(?1)",
                Object[].class).setParameter(1, ids.toArray(String[]::new)).getResultList().chain(stored -> {
            Map<String, Decision> known = new HashMap<>();
            stored.forEach(row -> known.put((String) row[0], replay((String) row[0], (String) row[1], (String) row[2])));
            // Per batch position: the index of the new decision it shares, or -1 for a stored one.
            Map<String, Integer> fresh = new HashMap<>();
            List<Integer> slots = new ArrayList<>(batch.size());
            List<Undecided> undecided = new ArrayList<>();
            List<Sample> toDecide = batch.stream().map(Pending::sample).filter(sample -> !known.containsKey(sample.id()))
                    .toList();
            // Locks taken for the whole poll up front, always in this order and each in key order, so that two
            // replicas never wait for each other in a cycle.
            Uni<Void> all = novelty.lockScopes(session, chain.novelty(), toDecide)
                    .chain(() -> images.lockBuckets(session, chain.nearImage(), toDecide));
            for (Pending pending : batch) {
                all = all.chain(() -> {
                    String id = pending.sample().id();
                    if (known.containsKey(id)) {
                        slots.add(-1);
                        return Uni.createFrom().voidItem();
                    }
                    if (fresh.containsKey(id)) {
                        slots.add(fresh.get(id));
                        return Uni.createFrom().voidItem();
                    }
                    return decideNew(session, pending.sample(), pending.contentVerdicts(), chain, now).invoke(u -> {
                        fresh.put(id, undecided.size());
                        slots.add(undecided.size());
                        undecided.add(u);
                    }).replaceWithVoid();
                });
            }
            return all.chain(() -> countQuotas(session, chain, undecided)).chain(() -> {
                List<VerdictEntity> rows = new ArrayList<>();
                List<Decision> fresher = new ArrayList<>();
                for (Undecided u : undecided) {
                    Decided d = record(u.sample(), u.contentHash(), u.verdicts(), chain, now);
                    rows.add(d.row());
                    fresher.add(d.decision());
                }
                List<Decision> decisions = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    int slot = slots.get(i);
                    decisions.add(slot < 0 ? known.get(batch.get(i).sample().id())
                            : slots.indexOf(slot) == i ? fresher.get(slot)
                            : new Decision(fresher.get(slot).outcome(), fresher.get(slot).verdicts(), true));
                }
                return insertVerdicts(rows).replaceWith(decisions);
            });
        }));
    }

    /** A sample whose duplicate checks are done and whose quota is still to be counted. */
    private record Undecided(Sample sample, String contentHash, List<Verdict> verdicts, boolean indexedImage) {
    }

    private Uni<Void> countQuotas(Mutiny.Session session, FilterChain chain, List<Undecided> undecided) {
        List<QuotaCounter.Candidate> candidates = new ArrayList<>();
        for (Undecided u : undecided) {
            if (passed(u.verdicts())) {
                candidates.add(new QuotaCounter.Candidate(u.sample(), u.verdicts()));
            } else {
                u.verdicts().add(chain.quota().notCounted());
            }
        }
        return quotas.count(session, chain.quota(), candidates).chain(turnedAway -> {
            Uni<Void> release = Uni.createFrom().voidItem();
            for (Sample sample : turnedAway) {
                release = release.chain(() -> nearDuplicates.release(session, sample.id()))
                        .chain(() -> novelty.release(session, sample.id()))
                        .chain(() -> releaseFingerprint(session, sample.id()));
            }
            return release.chain(() -> releaseImages(session, undecided));
        });
    }

    /**
     * An image indexed by this poll none of whose samples the poll finally accepted (novelty or a quota turned
     * them away) leaves the perceptual-hash index again, so it cannot make a later picture a duplicate.
     */
    private Uni<Void> releaseImages(Mutiny.Session session, List<Undecided> undecided) {
        Set<String> indexed = new TreeSet<>();
        Set<String> accepted = new HashSet<>();
        for (Undecided u : undecided) {
            if (u.indexedImage()) {
                indexed.add(u.sample().imageId());
            }
            if (passed(u.verdicts())) {
                accepted.add(u.sample().imageId());
            }
        }
        indexed.removeAll(accepted);
        return images.release(session, indexed);
    }

    private static Uni<Void> releaseFingerprint(Mutiny.Session session, String sampleId) {
        return session.createNativeQuery("delete from filtering.content_fingerprints where sample_id = ?1")
                .setParameter(1, sampleId).executeUpdate().replaceWithVoid();
    }

    private Uni<Undecided> decideNew(Mutiny.Session session, Sample sample, List<Verdict> contentVerdicts,
            FilterChain chain, OffsetDateTime now) {
        String contentHash = chain.exactDuplicate().fingerprint(sample);
        NearDuplicateFilter.Probe probe = chain.nearDuplicate().probe(sample);
        List<Verdict> verdicts = new ArrayList<>(contentVerdicts);
        boolean[] indexedImage = {false};
        return exactDuplicate(session, sample, contentHash, passed(verdicts), now)
                .chain(exact -> {
                    verdicts.add(chain.exactDuplicate().verdict(sample.id(), exact));
                    double threshold = chain.nearDuplicate().threshold();
                    return passed(verdicts)
                            ? nearDuplicates.claim(session, sample.id(), probe, threshold, now)
                            : nearDuplicates.bestCandidate(session, sample.id(), probe);
                })
                .chain(near -> {
                    verdicts.add(chain.nearDuplicate().verdict(near));
                    return images.check(session, chain.nearImage(), sample, passed(verdicts), now);
                })
                .chain(image -> {
                    boolean claimed = passed(verdicts);
                    verdicts.add(image.verdict());
                    indexedImage[0] = image.indexed();
                    Uni<Void> giveBack = Uni.createFrom().voidItem();
                    if (image.verdict().outcome() == Verdict.Outcome.REJECTED && claimed) {
                        // A near-duplicate picture: the sample gives back the fingerprint and band keys it claimed.
                        giveBack = nearDuplicates.release(session, sample.id())
                                .chain(() -> releaseFingerprint(session, sample.id()));
                    }
                    return giveBack.chain(() -> novelty.check(session, chain.novelty(), sample, passed(verdicts), now));
                })
                .chain(novel -> {
                    verdicts.add(novel);
                    boolean claimed = passed(verdicts.subList(0, verdicts.size() - 1));
                    if (novel.outcome() == Verdict.Outcome.REJECTED && claimed) {
                        // Not novel: the sample gives back the fingerprint and band keys it claimed (an image it
                        // indexed leaves the index at the end of the poll unless another sample of it passed).
                        return nearDuplicates.release(session, sample.id()).chain(() -> releaseFingerprint(session,
                                sample.id())).replaceWith(new Undecided(sample, contentHash, verdicts,
                                        indexedImage[0]));
                    }
                    return Uni.createFrom().item(new Undecided(sample, contentHash, verdicts, indexedImage[0]));
                });
    }

    /** The fingerprint's owner: claimed first when the sample has passed so far, only looked up otherwise. */
    private static Uni<String> exactDuplicate(Mutiny.Session session, Sample sample, String contentHash,
            boolean claim, OffsetDateTime now) {
        // A claim that inserts its row owns the content: one round trip in the common case; only a
        // collision asks who the owner is.
        Uni<List<String>> claimed = claim
                ? session.createNativeQuery(CLAIM_FINGERPRINT, String.class).setParameter(1, contentHash)
                        .setParameter(2, sample.id()).setParameter(3, now).getResultList()
                : Uni.createFrom().item(List.of());
        return claimed.chain(inserted -> !inserted.isEmpty() ? Uni.createFrom().item(inserted.get(0))
                : session.createNativeQuery(FINGERPRINT_OWNER, String.class).setParameter(1, contentHash)
                        .getResultList().map(owners -> owners.isEmpty() ? null : owners.get(0)));
    }

    private static boolean passed(List<Verdict> verdicts) {
        return verdicts.stream().allMatch(v -> v.outcome() == Verdict.Outcome.ACCEPTED);
    }

    /** A decision made now, with the verdict row still to be written. */
    private record Decided(Decision decision, VerdictEntity row) {
    }

    private static Decided record(Sample sample, String contentHash, List<Verdict> verdicts, FilterChain chain,
            OffsetDateTime now) {
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
        entity.chainVersion = chain.version();
        entity.recipe = sample.lineage() == null || sample.lineage().recipe() == null ? null
                : sample.lineage().recipe().id() + "@" + sample.lineage().recipe().version();
        entity.sourceDataset = QuotaFilter.sourceOf(sample);
        entity.lineageJson = EventJson.write(sample.withStep(chain.lineageStep(now)).lineage());
        return new Decided(new Decision(Verdict.Outcome.valueOf(entity.outcome), verdicts, false), entity);
    }

    private static Decision replay(VerdictEntity existing) {
        return replay(existing.sampleId, existing.outcome, existing.verdictsJson);
    }

    private static Decision replay(String sampleId, String outcome, String verdictsJson) {
        try {
            List<Verdict> verdicts = EventJson.mapper().readValue(verdictsJson, VERDICT_LIST);
            return new Decision(Verdict.Outcome.valueOf(outcome), verdicts, true);
        } catch (Exception e) {
            throw new IllegalStateException("stored verdicts of " + sampleId + " are unreadable", e);
        }
    }

    /**
     * Writes verdict rows with multi-row inserts rather than as managed entities: every native query of
     * the duplicate checks makes Hibernate flush, and a flush dirty-checks every managed entity, which
     * made a batch quadratic in its size.
     */
    private static Uni<Void> insertVerdicts(List<VerdictEntity> rows) {
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, INSERT_VERDICTS,
                " on conflict (sample_id) do nothing", 13, rows, (v, q, p) -> q.setParameter(p, v.sampleId)
                        .setParameter(p + 1, v.imageId).setParameter(p + 2, v.task).setParameter(p + 3, v.outcome)
                        .setParameter(p + 4, v.reason).setParameter(p + 5, v.detail)
                        .setParameter(p + 6, v.contentHash).setParameter(p + 7, v.verdictsJson)
                        .setParameter(p + 8, v.decidedAt).setParameter(p + 9, v.chainVersion)
                        .setParameter(p + 10, v.recipe).setParameter(p + 11, v.sourceDataset)
                        .setParameter(p + 12, v.lineageJson)))
                .replaceWithVoid();
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

    /** A sample's stored decision with every filter's verdict, or null when the sample is unknown. */
    @WithSession
    public Uni<SampleVerdicts> verdictsOf(String sampleId) {
        return VerdictEntity.<VerdictEntity>findById(sampleId).map(v -> v == null ? null
                : new SampleVerdicts(v.sampleId, v.imageId, v.task, v.outcome, v.reason, v.detail, v.decidedAt,
                        replay(v).verdicts()));
    }

    /** One page of rejected samples in decision order, all reasons or only {@code reason}. */
    @WithSession
    public Uni<RejectionPage> rejections(String reason, int page, int size) {
        String where = "outcome = ?1" + (reason == null ? "" : " and reason = ?2");
        var query = VerdictEntity.<VerdictEntity>find(where + " order by decidedAt, sampleId",
                reason == null ? new Object[] {Verdict.Outcome.REJECTED.name()}
                        : new Object[] {Verdict.Outcome.REJECTED.name(), reason});
        return query.count().chain(total -> query.page(page, size).list().map(rows -> new RejectionPage(reason, page,
                size, total, rows.stream().map(v -> new Rejection(v.sampleId, v.imageId, v.task, v.reason, v.detail,
                        v.decidedAt)).toList())));
    }

    /** What {@code GET /samples/{id}/verdicts} answers. */
    public record SampleVerdicts(String sampleId, String imageId, String task, String outcome, String reason,
            String detail, OffsetDateTime decidedAt, List<Verdict> verdicts) {
    }

    /** One rejected sample in a rejection listing. */
    public record Rejection(String sampleId, String imageId, String task, String reason, String detail,
            OffsetDateTime decidedAt) {
    }

    /** A page of {@code GET /rejections}; {@code total} counts every rejection that matches. */
    public record RejectionPage(String reason, int page, int size, long total, List<Rejection> items) {
    }

    /** Counts read by {@code bin/vlit status}. */
    public record Stats(long verdicts, long accepted, long rejected, Map<String, Long> rejectedByReason) {
    }
}
