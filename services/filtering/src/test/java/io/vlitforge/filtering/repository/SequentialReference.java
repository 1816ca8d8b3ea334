package io.vlitforge.filtering.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.MinHash;
import io.vlitforge.filtering.filters.NearDuplicateFilter;
import io.vlitforge.filtering.filters.NearImageFilter;
import io.vlitforge.filtering.filters.NoveltyFilter;
import io.vlitforge.filtering.filters.RougeL;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The duplicate, picture, novelty and quota decisions as {@link VerdictRepository} made them before they were
 * made set-wise per poll: every sample one after the other, each with its own statements against the tables
 * (fingerprint claim, band-key claim, candidate look-up, picture look-up and insert, novelty look-up and
 * insert, releases). Kept only as the reference that {@code PollDecisionsEquivalenceTest} compares the
 * set-wise decisions with, verdict for verdict.
 */
final class SequentialReference {

    private static final TypeReference<List<Verdict>> VERDICT_LIST = new TypeReference<>() {
    };

    private final QuotaCounter quotas;

    SequentialReference(QuotaCounter quotas) {
        this.quotas = quotas;
    }

    /** One decision: the outcome and every verdict, in chain order. */
    record Decision(Verdict.Outcome outcome, List<Verdict> verdicts) {
    }

    private record Undecided(Sample sample, String contentHash, List<Verdict> verdicts, boolean indexedImage) {
    }

    /** The old {@code decideAll}: to be run inside a transaction. */
    Uni<List<Decision>> decideAll(List<VerdictRepository.Pending> batch, FilterChain chain, OffsetDateTime now) {
        List<String> ids = batch.stream().map(p -> p.sample().id()).distinct().toList();
        return Panache.getSession().chain(session -> session.createNativeQuery(
                "select sample_id, outcome, verdicts_json from filtering.verdicts where sample_id = any(?1)",
                Object[].class).setParameter(1, ids.toArray(String[]::new)).getResultList().chain(stored -> {
            Map<String, Decision> known = new HashMap<>();
            stored.forEach(row -> known.put((String) row[0], replay((String) row[1], (String) row[2])));
            Map<String, Integer> fresh = new HashMap<>();
            List<Integer> slots = new ArrayList<>();
            List<Undecided> undecided = new ArrayList<>();
            List<Sample> toDecide = batch.stream().map(VerdictRepository.Pending::sample)
                    .filter(s -> !known.containsKey(s.id())).toList();
            Uni<Void> all = lockScopes(session, chain.novelty(), toDecide)
                    .chain(() -> lockBuckets(session, chain.nearImage(), toDecide));
            for (VerdictRepository.Pending pending : batch) {
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
                Uni<Void> rows = Uni.createFrom().voidItem();
                List<Decision> fresher = new ArrayList<>();
                for (Undecided u : undecided) {
                    Verdict failed = u.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                            .findFirst().orElse(null);
                    Verdict.Outcome outcome = failed == null ? Verdict.Outcome.ACCEPTED : Verdict.Outcome.REJECTED;
                    fresher.add(new Decision(outcome, u.verdicts()));
                    rows = rows.chain(() -> session.createNativeQuery("insert into filtering.verdicts (sample_id, "
                                    + "image_id, task, outcome, reason, detail, content_hash, verdicts_json, decided_at) "
                                    + "values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) on conflict (sample_id) do nothing")
                            .setParameter(1, u.sample().id()).setParameter(2, u.sample().imageId())
                            .setParameter(3, u.sample().task()).setParameter(4, outcome.name())
                            .setParameter(5, failed == null ? null : failed.reason())
                            .setParameter(6, failed == null ? null : failed.detail()).setParameter(7, u.contentHash())
                            .setParameter(8, EventJson.write(u.verdicts())).setParameter(9, now).executeUpdate()
                            .replaceWithVoid());
                }
                List<Decision> decisions = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    int slot = slots.get(i);
                    decisions.add(slot < 0 ? known.get(batch.get(i).sample().id()) : fresher.get(slot));
                }
                return rows.replaceWith(decisions);
            });
        }));
    }

    private static Decision replay(String outcome, String json) {
        try {
            return new Decision(Verdict.Outcome.valueOf(outcome), EventJson.mapper().readValue(json, VERDICT_LIST));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
                release = release.chain(() -> releaseBands(session, sample.id()))
                        .chain(() -> session.createNativeQuery("delete from filtering.novelty_pool where sample_id = ?1")
                                .setParameter(1, sample.id()).executeUpdate().replaceWithVoid())
                        .chain(() -> releaseFingerprint(session, sample.id()));
            }
            return release.chain(() -> releaseImages(session, undecided));
        });
    }

    private static Uni<Void> releaseImages(Mutiny.Session session, List<Undecided> undecided) {
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
        if (indexed.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        String[] ids = indexed.toArray(String[]::new);
        return session.createNativeQuery("delete from filtering.image_hash_bands where image_id = any(?1)")
                .setParameter(1, ids).executeUpdate()
                .chain(() -> session.createNativeQuery("delete from filtering.image_hashes where image_id = any(?1)")
                        .setParameter(1, ids).executeUpdate())
                .replaceWithVoid();
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
                    return passed(verdicts) ? claim(session, sample.id(), probe, threshold, now)
                            : bestCandidate(session, sample.id(), probe);
                })
                .chain(near -> {
                    verdicts.add(chain.nearDuplicate().verdict(near));
                    return checkImage(session, chain.nearImage(), sample, passed(verdicts), now);
                })
                .chain(image -> {
                    boolean claimed = passed(verdicts);
                    verdicts.add(image.verdict());
                    indexedImage[0] = image.indexed();
                    Uni<Void> giveBack = Uni.createFrom().voidItem();
                    if (image.verdict().outcome() == Verdict.Outcome.REJECTED && claimed) {
                        giveBack = releaseBands(session, sample.id()).chain(() -> releaseFingerprint(session, sample.id()));
                    }
                    return giveBack.chain(() -> checkNovelty(session, chain.novelty(), sample, passed(verdicts), now));
                })
                .chain(novel -> {
                    verdicts.add(novel);
                    boolean claimed = passed(verdicts.subList(0, verdicts.size() - 1));
                    if (novel.outcome() == Verdict.Outcome.REJECTED && claimed) {
                        return releaseBands(session, sample.id()).chain(() -> releaseFingerprint(session,
                                sample.id())).replaceWith(new Undecided(sample, contentHash, verdicts, indexedImage[0]));
                    }
                    return Uni.createFrom().item(new Undecided(sample, contentHash, verdicts, indexedImage[0]));
                });
    }

    private static Uni<String> exactDuplicate(Mutiny.Session session, Sample sample, String contentHash,
            boolean claim, OffsetDateTime now) {
        Uni<List<String>> claimed = claim
                ? session.createNativeQuery("insert into filtering.content_fingerprints (content_hash, sample_id, "
                        + "first_seen_at) values (?1, ?2, ?3) on conflict (content_hash) do nothing returning sample_id",
                        String.class).setParameter(1, contentHash).setParameter(2, sample.id()).setParameter(3, now)
                        .getResultList()
                : Uni.createFrom().item(List.of());
        return claimed.chain(inserted -> !inserted.isEmpty() ? Uni.createFrom().item(inserted.get(0))
                : session.createNativeQuery("select sample_id from filtering.content_fingerprints where content_hash = ?1",
                        String.class).setParameter(1, contentHash).getResultList()
                        .map(owners -> owners.isEmpty() ? null : owners.get(0)));
    }

    private static boolean passed(List<Verdict> verdicts) {
        return verdicts.stream().allMatch(v -> v.outcome() == Verdict.Outcome.ACCEPTED);
    }

    // ---- the old NearDuplicateIndex

    private static Uni<NearDuplicateFilter.Match> claim(Mutiny.Session session, String sampleId,
            NearDuplicateFilter.Probe probe, double threshold, OffsetDateTime now) {
        long[] keys = probe.bandKeys();
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
                .setParameter(s + 3, NearDuplicateIndex.encode(probe.signature())).setParameter(s + 4, now);
        return insert.getSingleResult().chain(inserted -> {
            if (inserted == keys.length) {
                return Uni.createFrom().nullItem();
            }
            return bestCandidate(session, sampleId, probe).chain(match -> {
                if (match != null && match.jaccard() >= threshold) {
                    return releaseBands(session, sampleId).replaceWith(match);
                }
                return Uni.createFrom().item(match);
            });
        });
    }

    private static Uni<Void> releaseBands(Mutiny.Session session, String sampleId) {
        return session.createNativeQuery("delete from filtering.near_duplicate_bands where sample_id = ?1")
                .setParameter(1, sampleId).executeUpdate()
                .chain(() -> session.createNativeQuery(
                        "delete from filtering.near_duplicate_signatures where sample_id = ?1")
                        .setParameter(1, sampleId).executeUpdate())
                .replaceWithVoid();
    }

    private static Uni<NearDuplicateFilter.Match> bestCandidate(Mutiny.Session session, String sampleId,
            NearDuplicateFilter.Probe probe) {
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
        return query.getResultList().map(rows -> {
            NearDuplicateFilter.Match best = null;
            for (Object[] row : rows) {
                double jaccard = MinHash.estimatedJaccard(probe.signature(),
                        NearDuplicateIndex.decode((String) row[1]));
                if (best == null || jaccard > best.jaccard()) {
                    best = new NearDuplicateFilter.Match((String) row[0], jaccard);
                }
            }
            return best;
        });
    }

    // ---- the old ImageHashIndex

    private record Key(int band, long bucket) {
    }

    private static Uni<Void> lockBuckets(Mutiny.Session session, NearImageFilter filter, List<Sample> samples) {
        TreeSet<Key> keys = new TreeSet<>((a, b) -> a.band() != b.band() ? Integer.compare(a.band(), b.band())
                : Long.compare(a.bucket(), b.bucket()));
        for (Sample sample : samples) {
            Long hash = NearImageFilter.hashOf(sample);
            if (hash != null) {
                long[] values = filter.bandValues(hash);
                for (int band = 0; band < values.length; band++) {
                    keys.add(new Key(band, values[band]));
                }
            }
        }
        if (keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Key> sorted = new ArrayList<>(keys);
        StringBuilder sql = new StringBuilder("insert into filtering.image_hash_buckets (bands, band, bucket) values ");
        for (int i = 0; i < sorted.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append('(').append(filter.bands()).append(", ?").append(2 * i + 1)
                    .append(", ?").append(2 * i + 2).append(')');
        }
        sql.append(" on conflict (bands, band, bucket) do update set bands = excluded.bands");
        var query = session.createNativeQuery(sql.toString());
        for (int i = 0; i < sorted.size(); i++) {
            query.setParameter(2 * i + 1, sorted.get(i).band()).setParameter(2 * i + 2, sorted.get(i).bucket());
        }
        return query.executeUpdate().replaceWithVoid();
    }

    private static Uni<ImageHashIndex.Result> checkImage(Mutiny.Session session, NearImageFilter filter, Sample sample,
            boolean index, OffsetDateTime now) {
        Long hash = NearImageFilter.hashOf(sample);
        if (hash == null) {
            return Uni.createFrom().item(new ImageHashIndex.Result(filter.noHash(sample), false));
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
                return Uni.createFrom().item(new ImageHashIndex.Result(filter.indexed(nearest), false));
            }
            Verdict verdict = filter.verdict(nearest);
            if (!index || verdict.outcome() != Verdict.Outcome.ACCEPTED) {
                return Uni.createFrom().item(new ImageHashIndex.Result(verdict, false));
            }
            StringBuilder insert = new StringBuilder("with image as (insert into filtering.image_hashes (image_id, "
                    + "hash, sample_id, first_seen_at) values (?1, ?2, ?3, ?4) on conflict (image_id) do nothing "
                    + "returning 1) insert into filtering.image_hash_bands (bands, band, bucket, image_id) values ");
            for (int band = 0; band < values.length; band++) {
                int p = 4 * band + 5;
                insert.append(band == 0 ? "" : ", ").append("(?").append(p).append(", ?").append(p + 1).append(", ?")
                        .append(p + 2).append(", ?").append(p + 3).append(')');
            }
            insert.append(" on conflict do nothing");
            var write = session.createNativeQuery(insert.toString()).setParameter(1, sample.imageId())
                    .setParameter(2, hash).setParameter(3, sample.id()).setParameter(4, now);
            for (int band = 0; band < values.length; band++) {
                int p = 4 * band + 5;
                write.setParameter(p, filter.bands()).setParameter(p + 1, band).setParameter(p + 2, values[band])
                        .setParameter(p + 3, sample.imageId());
            }
            return write.executeUpdate().replaceWith(new ImageHashIndex.Result(verdict, true));
        });
    }

    // ---- the old NoveltyPool

    private static Uni<Void> lockScopes(Mutiny.Session session, NoveltyFilter novelty, List<Sample> samples) {
        TreeSet<String> scopes = new TreeSet<>();
        samples.forEach(s -> scopes.add(novelty.scopeOf(s)));
        if (!novelty.enabled() || scopes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return session.createNativeQuery("select count(pg_advisory_xact_lock(hashtext(s))) from (select distinct s "
                        + "from unnest(cast(?1 as text[])) s order by s) x", Long.class)
                .setParameter(1, scopes.toArray(String[]::new)).getSingleResult().replaceWithVoid();
    }

    private static Uni<Verdict> checkNovelty(Mutiny.Session session, NoveltyFilter novelty, Sample sample, boolean add,
            OffsetDateTime now) {
        if (!novelty.enabled()) {
            return Uni.createFrom().item(novelty.off());
        }
        String scope = novelty.scopeOf(sample);
        String text = NoveltyFilter.instructions(sample);
        List<String> words = RougeL.words(text);
        return session.createNativeQuery("select sample_id, instructions from filtering.novelty_pool where scope = ?1 "
                        + "and sample_id <> ?2 order by added_at desc limit ?3", Object[].class)
                .setParameter(1, scope).setParameter(2, sample.id()).setParameter(3, novelty.poolSize())
                .getResultList().chain(rows -> {
                    double best = 0;
                    String with = null;
                    for (Object[] row : rows) {
                        double f = RougeL.f1(words, RougeL.words((String) row[1]));
                        if (f > best) {
                            best = f;
                            with = (String) row[0];
                        }
                    }
                    Verdict verdict = novelty.verdict(best, with);
                    if (!add || verdict.outcome() != Verdict.Outcome.ACCEPTED) {
                        return Uni.createFrom().item(verdict);
                    }
                    return session.createNativeQuery("insert into filtering.novelty_pool (scope, sample_id, "
                                    + "instructions, added_at) values (?1, ?2, ?3, ?4) on conflict do nothing")
                            .setParameter(1, scope).setParameter(2, sample.id()).setParameter(3, text)
                            .setParameter(4, now).executeUpdate().replaceWith(verdict);
                });
    }
}
