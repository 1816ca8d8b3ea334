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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
    private static final String INSERT_VERDICTS = "insert into filtering.verdicts (sample_id, image_id, task, "
            + "outcome, reason, detail, content_hash, verdicts_json, decided_at, chain_version, recipe, "
            + "source_dataset, lineage_json) values ";

    private final ContentFingerprints fingerprints;
    private final NearDuplicateIndex nearDuplicates;
    private final QuotaCounter quotas;
    private final NoveltyPool novelty;
    private final ImageHashIndex images;

    public VerdictRepository(ContentFingerprints fingerprints, NearDuplicateIndex nearDuplicates, QuotaCounter quotas,
            NoveltyPool novelty, ImageHashIndex images) {
        this.fingerprints = fingerprints;
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
     * <p>
     * The shared indexes are read and claimed set-wise, a few statements per batch rather than several per
     * sample: after the locks (novelty scopes, picture band keys), every fingerprint and MinHash band key the
     * batch's samples may claim is inserted in one statement each, in key order (so two replicas lock in the
     * same order and a collision with another replica's uncommitted claim waits for its commit), the owners of
     * the rest and the indexed pictures and novelty pool the batch can meet are read, the samples are decided
     * in memory against that state exactly as against the tables ({@link PollIndexes}), and the end state is
     * written back.
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
            Plan plan = new Plan(batch, known, chain);
            // Locks taken for the whole poll up front, always in this order and each in key order, so that two
            // replicas never wait for each other in a cycle.
            return novelty.lockScopes(session, chain.novelty(), plan.samples)
                    .chain(() -> images.lockBuckets(session, chain.nearImage(), plan.samples))
                    .chain(() -> fingerprints.claim(session, List.copyOf(plan.hashClaims.keySet()),
                            List.copyOf(plan.hashClaims.values()), now))
                    .chain(inserted -> {
                        plan.insertedHashes = inserted;
                        List<String> others = plan.hashes.stream().filter(h -> !inserted.contains(h)).toList();
                        return fingerprints.owners(session, others);
                    })
                    .chain(owners -> {
                        plan.hashOwners = owners;
                        return nearDuplicates.claim(session, List.copyOf(plan.bandClaims.keySet()),
                                List.copyOf(plan.bandClaims.values()));
                    })
                    .chain(inserted -> {
                        plan.insertedBands = inserted;
                        List<PollIndexes.BandKey> others = plan.bandKeys.stream().filter(k -> !inserted.contains(k))
                                .toList();
                        return nearDuplicates.owners(session, others);
                    })
                    .chain(owners -> {
                        plan.bandOwners = owners;
                        return images.load(session, chain.nearImage(), plan.samples);
                    })
                    .chain(snapshot -> {
                        plan.images = snapshot;
                        return novelty.load(session, chain.novelty(), plan.samples);
                    })
                    .chain(pool -> {
                        PollIndexes indexes = plan.indexes(pool);
                        return decideBatch(session, indexes, plan, batch, known, chain, now);
                    });
        }));
    }

    /**
     * What a batch claims and looks up before its samples are decided, and what the database answered.
     * Package-private, with {@link #decideNew}, so that the filter-chain benchmark (test sources) decides polls
     * in memory with this very code.
     */
    static final class Plan {
        /** The samples to decide now: the first delivery of each id without a stored decision, in batch order. */
        final List<Sample> samples = new ArrayList<>();
        final Map<String, String> contentHashes;
        final Map<String, NearDuplicateFilter.Probe> probes;
        /** Fingerprints the samples that passed so far may claim, in hash order, each under its first sample. */
        final TreeMap<String, String> hashClaims = new TreeMap<>();
        final TreeMap<PollIndexes.BandKey, String> bandClaims = new TreeMap<>(PollIndexes.BAND_ORDER);
        /** Every fingerprint and band key of the samples. */
        final Set<String> hashes;
        final Set<PollIndexes.BandKey> bandKeys;
        Set<String> insertedHashes;
        Map<String, String> hashOwners;
        Set<PollIndexes.BandKey> insertedBands;
        Map<PollIndexes.BandKey, NearDuplicateIndex.Owner> bandOwners;
        ImageHashIndex.Snapshot images;

        Plan(List<Pending> batch, Map<String, Decision> known, FilterChain chain) {
            // Sized for the poll up front (a poll of 500 has 10,000 band keys): growing them rehashed every entry
            // several times. Only looked up, or kept in insertion order, so their size changes no result.
            int n = batch.size();
            contentHashes = new HashMap<>(capacity(n));
            probes = new HashMap<>(capacity(n));
            hashes = new LinkedHashSet<>(capacity(n));
            bandKeys = new LinkedHashSet<>(capacity(n * chain.nearDuplicate().bands()));
            Set<String> seen = new HashSet<>();
            for (Pending pending : batch) {
                Sample sample = pending.sample();
                if (known.containsKey(sample.id()) || !seen.add(sample.id())) {
                    continue;
                }
                samples.add(sample);
                String hash = chain.exactDuplicate().fingerprint(sample);
                NearDuplicateFilter.Probe probe = chain.nearDuplicate().probe(sample);
                contentHashes.put(sample.id(), hash);
                probes.put(sample.id(), probe);
                hashes.add(hash);
                long[] keys = probe.bandKeys();
                boolean mayClaim = passed(pending.contentVerdicts());
                if (mayClaim) {
                    hashClaims.putIfAbsent(hash, sample.id());
                }
                for (int band = 0; band < keys.length; band++) {
                    PollIndexes.BandKey key = new PollIndexes.BandKey(band, keys[band]);
                    bandKeys.add(key);
                    if (mayClaim) {
                        bandClaims.putIfAbsent(key, sample.id());
                    }
                }
            }
        }

        /** A hash table capacity that holds {@code entries} without growing. */
        private static int capacity(int entries) {
            return (int) (entries / 0.75f) + 1;
        }

        PollIndexes indexes(Map<String, List<Object[]>> pool) {
            Map<String, String> hashInserts = new LinkedHashMap<>();
            insertedHashes.forEach(h -> hashInserts.put(h, hashClaims.get(h)));
            Map<PollIndexes.BandKey, String> bandInserts = new LinkedHashMap<>();
            insertedBands.forEach(k -> bandInserts.put(k, bandClaims.get(k)));
            Map<PollIndexes.BandKey, String> heldBands = new HashMap<>();
            Map<String, int[]> signatures = new HashMap<>();
            bandOwners.forEach((key, owner) -> {
                heldBands.put(key, owner.sampleId());
                if (owner.signature() != null) {
                    signatures.put(owner.sampleId(), owner.signature());
                }
            });
            return new PollIndexes(new PollIndexes.Claims<>(hashInserts, hashOwners),
                    new PollIndexes.Claims<>(bandInserts, heldBands), signatures, images.hashes(), images.bands(),
                    pool);
        }
    }

    private Uni<List<Decision>> decideBatch(Mutiny.Session session, PollIndexes indexes, Plan plan,
            List<Pending> batch, Map<String, Decision> known, FilterChain chain, OffsetDateTime now) {
        // Per batch position: the index of the new decision it shares, or -1 for a stored one.
        Map<String, Integer> fresh = new HashMap<>();
        List<Integer> slots = new ArrayList<>(batch.size());
        List<Undecided> undecided = new ArrayList<>();
        for (Pending pending : batch) {
            String id = pending.sample().id();
            if (known.containsKey(id)) {
                slots.add(-1);
            } else if (fresh.containsKey(id)) {
                slots.add(fresh.get(id));
            } else {
                Undecided u = decideNew(indexes, pending.sample(), plan.contentHashes.get(id), plan.probes.get(id),
                        pending.contentVerdicts(), chain);
                fresh.put(id, undecided.size());
                slots.add(undecided.size());
                undecided.add(u);
            }
        }
        return countQuotas(session, indexes, chain, undecided)
                .chain(() -> fingerprints.finish(session, indexes.fingerprints().unowned(),
                        indexes.fingerprints().reassigned()))
                .chain(() -> nearDuplicates.finish(session, indexes.bands().unowned(), indexes.bands().reassigned(),
                        indexes.newSignatures(), now))
                .chain(() -> images.insert(session, chain.nearImage(), indexes.newImages().values(), now))
                .chain(() -> novelty.insert(session, indexes.newPool(), now))
                .chain(() -> {
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
    }

    /** A sample whose duplicate checks are done and whose quota is still to be counted. */
    record Undecided(Sample sample, String contentHash, List<Verdict> verdicts, boolean indexedImage) {
    }

    private Uni<Void> countQuotas(Mutiny.Session session, PollIndexes indexes, FilterChain chain,
            List<Undecided> undecided) {
        List<QuotaCounter.Candidate> candidates = new ArrayList<>();
        for (Undecided u : undecided) {
            if (passed(u.verdicts())) {
                candidates.add(new QuotaCounter.Candidate(u.sample(), u.verdicts()));
            } else {
                u.verdicts().add(chain.quota().notCounted());
            }
        }
        return quotas.count(session, chain.quota(), candidates).invoke(turnedAway -> {
            for (Sample sample : turnedAway) {
                indexes.releaseBands(sample.id());
                indexes.releaseNovelty(chain.novelty(), sample);
                indexes.releaseFingerprint(sample.id());
            }
            releaseImages(indexes, undecided);
        }).replaceWithVoid();
    }

    /**
     * An image indexed by this poll none of whose samples the poll finally accepted (novelty or a quota turned
     * them away) leaves the perceptual-hash index again, so it cannot make a later picture a duplicate.
     */
    static void releaseImages(PollIndexes indexes, List<Undecided> undecided) {
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
        indexed.forEach(indexes::releaseImage);
    }

    /**
     * One sample's duplicate, picture and novelty checks against the batch's state, as they would run against
     * the tables: a sample that passed so far claims, any other only looks up, and a sample rejected after it
     * claimed gives its claims back.
     */
    static Undecided decideNew(PollIndexes indexes, Sample sample, String contentHash,
            NearDuplicateFilter.Probe probe, List<Verdict> contentVerdicts, FilterChain chain) {
        List<Verdict> verdicts = new ArrayList<>(contentVerdicts);
        String owner = passed(verdicts) ? indexes.claimFingerprint(contentHash, sample.id())
                : indexes.fingerprintOwner(contentHash);
        verdicts.add(chain.exactDuplicate().verdict(sample.id(), owner));
        NearDuplicateFilter.Match near = passed(verdicts)
                ? indexes.claimBands(sample.id(), probe, chain.nearDuplicate().threshold())
                : indexes.bestCandidate(sample.id(), probe);
        verdicts.add(chain.nearDuplicate().verdict(near));
        ImageHashIndex.Result image = indexes.checkImage(chain.nearImage(), sample, passed(verdicts));
        boolean claimed = passed(verdicts);
        verdicts.add(image.verdict());
        if (image.verdict().outcome() == Verdict.Outcome.REJECTED && claimed) {
            // A near-duplicate picture: the sample gives back the fingerprint and band keys it claimed.
            indexes.releaseBands(sample.id());
            indexes.releaseFingerprint(sample.id());
        }
        claimed = passed(verdicts);
        Verdict novel = indexes.checkNovelty(chain.novelty(), sample, claimed);
        verdicts.add(novel);
        if (novel.outcome() == Verdict.Outcome.REJECTED && claimed) {
            // Not novel: the sample gives back the fingerprint and band keys it claimed (an image it indexed
            // leaves the index at the end of the poll unless another sample of it passed).
            indexes.releaseBands(sample.id());
            indexes.releaseFingerprint(sample.id());
        }
        return new Undecided(sample, contentHash, verdicts, image.indexed());
    }

    static boolean passed(List<Verdict> verdicts) {
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
