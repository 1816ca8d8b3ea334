package io.vlitforge.filtering.repository;

import io.vlitforge.filtering.filters.MinHash;
import io.vlitforge.filtering.filters.NearDuplicateFilter;
import io.vlitforge.filtering.filters.NearImageFilter;
import io.vlitforge.filtering.filters.NoveltyFilter;
import io.vlitforge.filtering.filters.RougeL;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shared duplicate indexes (content fingerprints, MinHash bands and signatures, perceptual-hash images,
 * novelty pool) as one poll sees them, held in memory while the poll is decided. {@link VerdictRepository}
 * first claims (inserts and so row-locks) every fingerprint and band key the poll's samples could claim,
 * in key order, and loads what other samples already hold; the samples are then decided one after the other
 * against this state exactly as they would be against the tables, each seeing what the samples before it
 * claimed and gave back, and only the end state is written. That turns several round trips per sample into
 * a few per poll without changing a verdict.
 * <p>
 * A fingerprint or band key this poll inserted starts free here: the poll holds its row, and at the end it
 * is given to the sample that finally owns it, or deleted when none does.
 */
final class PollIndexes {

    /** One MinHash band key. */
    record BandKey(int band, long bucket) {
    }

    /** One perceptual-hash band key (of the configured band layout). */
    record ImageKey(int band, long bucket) {
    }

    /** Band, then bucket: the order claims are inserted in (written out: a poll makes ~10,000 comparisons). */
    static final Comparator<BandKey> BAND_ORDER = (a, b) -> a.band() != b.band() ? Integer.compare(a.band(), b.band())
            : Long.compare(a.bucket(), b.bucket());

    /** An image indexed by this poll: written at the end unless none of its samples was finally accepted. */
    record IndexedImage(String imageId, long hash, long[] bandValues, String sampleId) {
    }

    /** A sample added to the novelty pool by this poll. */
    record PoolEntry(String scope, String sampleId, String instructions) {
    }

    /** Rows keyed by K that one sample at a time may own; absent means free. */
    static final class Claims<K> {
        private final Map<K, String> owners;
        private final Map<String, List<K>> bySample = new HashMap<>();
        /** The rows this poll inserted, with the sample id they were inserted under. */
        private final Map<K, String> inserted;

        Claims(Map<K, String> inserted, Map<K, String> heldByOthers) {
            this.inserted = inserted;
            // Room for what others hold and for every row this poll inserted (only looked up, never iterated).
            owners = new HashMap<>((int) ((heldByOthers.size() + inserted.size()) / 0.75f) + 1);
            owners.putAll(heldByOthers);
        }

        String owner(K key) {
            return owners.get(key);
        }

        /** Takes the key when it is free; true when it did. */
        boolean claim(K key, String sampleId) {
            if (owners.containsKey(key)) {
                return false;
            }
            owners.put(key, sampleId);
            bySample.computeIfAbsent(sampleId, id -> new ArrayList<>()).add(key);
            return true;
        }

        /** Gives back every key the sample claimed in this poll. */
        void release(String sampleId) {
            List<K> keys = bySample.remove(sampleId);
            if (keys != null) {
                keys.forEach(owners::remove);
            }
        }

        /** Inserted rows that no sample owns in the end: to delete. */
        List<K> unowned() {
            List<K> out = new ArrayList<>();
            inserted.forEach((key, id) -> {
                if (owners.get(key) == null) {
                    out.add(key);
                }
            });
            return out;
        }

        /** Inserted rows that another sample than the one they were inserted under owns in the end. */
        Map<K, String> reassigned() {
            Map<K, String> out = new LinkedHashMap<>();
            inserted.forEach((key, id) -> {
                String owner = owners.get(key);
                if (owner != null && !owner.equals(id)) {
                    out.put(key, owner);
                }
            });
            return out;
        }
    }

    private final Claims<String> fingerprints;
    private final Claims<BandKey> bands;
    /** The signature of every band owner that has one (stored ones and this poll's claims). */
    private final Map<String, int[]> signatures;
    /** Signatures claimed in this poll, with their scope, in claim order. */
    private final Map<String, NearDuplicateFilter.Probe> newSignatures = new LinkedHashMap<>();
    /** Indexed images relevant to this poll: id to hash. */
    private final Map<String, Long> imageHashes;
    private final Map<ImageKey, Set<String>> imageBands;
    private final Map<String, IndexedImage> newImages = new LinkedHashMap<>();
    /** Novelty pool per scope, most recent first. */
    private final Map<String, List<PoolMember>> pool;
    private final List<PoolEntry> newPool = new ArrayList<>();
    private final Map<String, Integer> newPoolCounts = new HashMap<>();

    private record PoolMember(String sampleId, List<String> words, String instructions) {
    }

    PollIndexes(Claims<String> fingerprints, Claims<BandKey> bands, Map<String, int[]> signatures,
            Map<String, Long> imageHashes, Map<ImageKey, Set<String>> imageBands,
            Map<String, List<Object[]>> pool) {
        this.fingerprints = fingerprints;
        this.bands = bands;
        this.signatures = signatures;
        this.imageHashes = imageHashes;
        this.imageBands = imageBands;
        this.pool = new HashMap<>();
        pool.forEach((scope, rows) -> {
            List<PoolMember> members = new ArrayList<>(rows.size());
            for (Object[] row : rows) {
                members.add(new PoolMember((String) row[0], RougeL.words((String) row[1]), (String) row[1]));
            }
            this.pool.put(scope, members);
        });
    }

    // ---- exact duplicates

    /** The fingerprint's owner after a claim: the sample itself when it was free. */
    String claimFingerprint(String contentHash, String sampleId) {
        fingerprints.claim(contentHash, sampleId);
        return fingerprints.owner(contentHash);
    }

    String fingerprintOwner(String contentHash) {
        return fingerprints.owner(contentHash);
    }

    void releaseFingerprint(String sampleId) {
        fingerprints.release(sampleId);
    }

    Claims<String> fingerprints() {
        return fingerprints;
    }

    // ---- near duplicates (MinHash LSH)

    /**
     * Claims the sample's free band keys and records its signature; the best candidate among the owners of
     * the keys it could not claim, or null when every key was free. A candidate at or above the threshold
     * makes the sample give everything back.
     */
    NearDuplicateFilter.Match claimBands(String sampleId, NearDuplicateFilter.Probe probe, double threshold) {
        long[] keys = probe.bandKeys();
        int claimed = 0;
        for (int band = 0; band < keys.length; band++) {
            if (bands.claim(new BandKey(band, keys[band]), sampleId)) {
                claimed++;
            }
        }
        if (!signatures.containsKey(sampleId)) {
            signatures.put(sampleId, probe.signature());
            newSignatures.put(sampleId, probe);
        }
        if (claimed == keys.length) {
            return null;
        }
        NearDuplicateFilter.Match match = bestCandidate(sampleId, probe);
        if (match != null && match.jaccard() >= threshold) {
            releaseBands(sampleId);
        }
        return match;
    }

    /** The most similar sample owning one of the probe's band keys (ties: the smallest sample id). */
    NearDuplicateFilter.Match bestCandidate(String sampleId, NearDuplicateFilter.Probe probe) {
        long[] keys = probe.bandKeys();
        TreeSet<String> owners = new TreeSet<>();
        for (int band = 0; band < keys.length; band++) {
            String owner = bands.owner(new BandKey(band, keys[band]));
            if (owner != null && !owner.equals(sampleId) && signatures.containsKey(owner)) {
                owners.add(owner);
            }
        }
        NearDuplicateFilter.Match best = null;
        for (String owner : owners) {
            double jaccard = MinHash.estimatedJaccard(probe.signature(), signatures.get(owner));
            if (best == null || jaccard > best.jaccard()) {
                best = new NearDuplicateFilter.Match(owner, jaccard);
            }
        }
        return best;
    }

    /** Takes the sample's band keys and signature back out. */
    void releaseBands(String sampleId) {
        bands.release(sampleId);
        if (newSignatures.remove(sampleId) != null) {
            signatures.remove(sampleId);
        }
    }

    Claims<BandKey> bands() {
        return bands;
    }

    /** Signatures to store: those claimed in this poll and not given back. */
    Map<String, NearDuplicateFilter.Probe> newSignatures() {
        return newSignatures;
    }

    // ---- near-duplicate pictures

    /**
     * The sample's {@code near_image} verdict, as {@link ImageHashIndex} describes: a sample of an indexed
     * image passes; otherwise the nearest other indexed image sharing a band decides, and a sample that passed
     * so far ({@code index}) and is no near-duplicate indexes its image.
     */
    ImageHashIndex.Result checkImage(NearImageFilter filter, Sample sample, boolean index) {
        Long hash = NearImageFilter.hashOf(sample);
        if (hash == null) {
            return new ImageHashIndex.Result(filter.noHash(sample), false);
        }
        long[] values = filter.bandValues(hash);
        Set<String> candidates = new LinkedHashSet<>();
        for (int band = 0; band < values.length; band++) {
            Set<String> images = imageBands.get(new ImageKey(band, values[band]));
            if (images != null) {
                candidates.addAll(images);
            }
        }
        boolean known = imageHashes.containsKey(sample.imageId());
        NearImageFilter.Match nearest = null;
        for (String imageId : candidates) {
            Long other = imageHashes.get(imageId);
            if (other == null || imageId.equals(sample.imageId())) {
                continue;
            }
            int distance = NearImageFilter.distance(hash, other);
            if (nearest == null || distance < nearest.distance()
                    || distance == nearest.distance() && imageId.compareTo(nearest.imageId()) < 0) {
                nearest = new NearImageFilter.Match(imageId, distance);
            }
        }
        if (known) {
            return new ImageHashIndex.Result(filter.indexed(nearest), false);
        }
        Verdict verdict = filter.verdict(nearest);
        if (!index || verdict.outcome() != Verdict.Outcome.ACCEPTED) {
            return new ImageHashIndex.Result(verdict, false);
        }
        imageHashes.put(sample.imageId(), hash);
        for (int band = 0; band < values.length; band++) {
            imageBands.computeIfAbsent(new ImageKey(band, values[band]), k -> new LinkedHashSet<>())
                    .add(sample.imageId());
        }
        newImages.put(sample.imageId(), new IndexedImage(sample.imageId(), hash, values, sample.id()));
        return new ImageHashIndex.Result(verdict, true);
    }

    /** Images this poll indexed, less those given back. */
    Map<String, IndexedImage> newImages() {
        return newImages;
    }

    /** An image none of whose samples this poll accepted leaves the index again (it is never written). */
    void releaseImage(String imageId) {
        newImages.remove(imageId);
    }

    // ---- novelty

    /** The sample's novelty verdict; a sample that passed so far ({@code add}) joins the pool when novel. */
    Verdict checkNovelty(NoveltyFilter novelty, Sample sample, boolean add) {
        if (!novelty.enabled()) {
            return novelty.off();
        }
        String scope = novelty.scopeOf(sample);
        String text = NoveltyFilter.instructions(sample);
        List<String> words = RougeL.words(text);
        List<PoolMember> members = pool.computeIfAbsent(scope, s -> new ArrayList<>());
        double best = 0;
        String with = null;
        int compared = 0;
        for (PoolMember member : members) {
            if (compared >= novelty.poolSize()) {
                break;
            }
            if (member.sampleId().equals(sample.id())) {
                continue;
            }
            compared++;
            double f = RougeL.f1(words, member.words());
            if (f > best) {
                best = f;
                with = member.sampleId();
            }
        }
        Verdict verdict = novelty.verdict(best, with);
        if (add && verdict.outcome() == Verdict.Outcome.ACCEPTED) {
            // After the members this poll added (the same time; the table's index returns the earlier insert
            // first) and before the stored ones.
            int added = newPoolCounts.getOrDefault(scope, 0);
            members.add(added, new PoolMember(sample.id(), words, text));
            newPoolCounts.put(scope, added + 1);
            newPool.add(new PoolEntry(scope, sample.id(), text));
        }
        return verdict;
    }

    /** Takes a sample back out of the pool (a quota turned it away). */
    void releaseNovelty(NoveltyFilter novelty, Sample sample) {
        if (newPool.removeIf(e -> e.sampleId().equals(sample.id()))) {
            String scope = novelty.scopeOf(sample);
            pool.get(scope).removeIf(m -> m.sampleId().equals(sample.id()));
            newPoolCounts.merge(scope, -1, Integer::sum);
        }
    }

    List<PoolEntry> newPool() {
        return newPool;
    }
}
