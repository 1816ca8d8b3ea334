package io.vlitforge.filtering.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.NoveltyFilter;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The set-wise decisions of a poll ({@link VerdictRepository#decideAll}, {@link PollIndexes}) against the
 * sample-by-sample statements they replaced ({@link SequentialReference}), on the real PostgreSQL: the same
 * workload (exact duplicates, near duplicates, near-duplicate pictures, pictures without a hash, content
 * rejections, task and source quotas that turn samples away after they claimed, redeliveries within and
 * across polls, polls of 1 to 50 samples) goes through both, under different ids, and every sample must get
 * the same verdicts, filter by filter, with the same scores and details. Once with the configured chain and
 * once with the novelty filter on. The test profile gives task {@code quota_probe} a quota of 5 and source
 * {@code quota_probe_source} a quota of 3.
 */
@QuarkusTest
class PollDecisionsEquivalenceTest {

    private static final String[] CAPTIONS = {
        "A man riding a red bicycle down a quiet street near the old harbour.",
        "Two children flying a yellow kite on a windy beach in the afternoon.",
        "A brown dog sleeping on a blue sofa next to an open window.",
        "A crowded market stall selling oranges, lemons and green apples.",
        "A white sailboat drifting across a calm lake under grey clouds.",
        "An old woman reading a newspaper on a wooden bench in the park.",
        "A plate of pasta with tomato sauce and basil on a checked tablecloth.",
        "A train crossing a stone bridge over a river in the mountains.",
        "A cat watching birds from a windowsill covered in potted plants.",
        "Three surfers carrying their boards along a sandy path at sunrise.",
        "A chef slicing vegetables in a busy restaurant kitchen at night.",
        "A group of cyclists waiting at a traffic light in the rain.",
        "A snowy cabin with smoke rising from the chimney at dusk.",
    };
    private static final String[] INSTRUCTIONS = {"Describe the image concisely.",
        "What is happening in this picture?", "Give a short caption for the photo.",
        "Describe the image concisely, please."};
    private static final String REFUSAL = "I'm sorry, but I cannot describe the people in this image.";

    @Inject
    VerdictRepository repository;
    @Inject
    QuotaCounter quotas;
    @Inject
    FilterChain configured;

    @Test
    void theSetWiseDecisionsMatchTheSampleBySampleOnes() throws Throwable {
        compare(configured, 11);
    }

    @Test
    void theSetWiseDecisionsMatchTheSampleBySampleOnesWithNovelty() throws Throwable {
        compare(new FilterChain(configured.filters(), configured.exactDuplicate(), configured.nearDuplicate(),
                new NoveltyFilter(true, 0.7, true, 1000), configured.quota()), 23);
    }

    private void compare(FilterChain chain, long seed) throws Throwable {
        String token = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        List<List<Sample>> reference = workload("a" + token, seed);
        List<List<Sample>> setWise = workload("b" + token, seed);
        SequentialReference sequential = new SequentialReference(quotas);

        resetQuotas();
        List<List<Verdict>> expected = new ArrayList<>();
        for (List<Sample> batch : reference) {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<VerdictRepository.Pending> pending = pending(chain, batch);
            List<SequentialReference.Decision> decisions = VertxContextSupport.subscribeAndAwait(
                    () -> Panache.withTransaction(() -> sequential.decideAll(pending, chain, now)));
            decisions.forEach(d -> expected.add(d.verdicts()));
        }
        // The second run starts from the same state: the reference run's pictures leave the index (its other
        // entries are keyed by its own image and sample ids) and the quota counters start again.
        forgetImages("a" + token);
        resetQuotas();
        List<List<Verdict>> actual = new ArrayList<>();
        for (List<Sample> batch : setWise) {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            List<VerdictRepository.Pending> pending = pending(chain, batch);
            List<VerdictRepository.Decision> decisions = VertxContextSupport.subscribeAndAwait(
                    () -> repository.decideAll(pending, chain, now));
            decisions.forEach(d -> actual.add(d.verdicts()));
        }
        forgetImages("b" + token);
        resetQuotas();

        assertEquals(expected.size(), actual.size());
        Map<String, Integer> reasons = new HashMap<>();
        List<Sample> samples = setWise.stream().flatMap(List::stream).toList();
        for (int i = 0; i < expected.size(); i++) {
            List<Verdict> translated = expected.get(i).stream().map(v -> new Verdict(v.filter(), v.version(),
                    v.score(), v.threshold(), v.outcome(), v.reason(),
                    v.detail() == null ? null : v.detail().replace("a" + token, "b" + token))).toList();
            assertEquals(translated, actual.get(i), "sample " + samples.get(i).id() + " (" + i + ")");
            actual.get(i).stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                    .forEach(v -> reasons.merge(v.reason(), 1, Integer::sum));
        }
        // The workload does exercise what it is meant to.
        for (String reason : List.of("duplicate.exact", "duplicate.near", "duplicate.near_image", "quota.task_full",
                "quota.source_full")) {
            assertTrue(reasons.getOrDefault(reason, 0) > 0, reason + " in " + reasons);
        }
        if (chain.novelty().enabled()) {
            assertTrue(reasons.getOrDefault(NoveltyFilter.NOT_NOVEL, 0) > 0, "not novel in " + reasons);
        }
    }

    private static List<VerdictRepository.Pending> pending(FilterChain chain, List<Sample> batch) {
        return batch.stream().map(s -> new VerdictRepository.Pending(s, chain.check(s))).toList();
    }

    /**
     * Polls of samples about 13 pictures (some a few bits from another, one without a hash), the same for any
     * prefix except for the ids, which keep their order.
     */
    private static List<List<Sample>> workload(String prefix, long seed) {
        Random random = new Random(seed);
        int images = CAPTIONS.length;
        long[] hashes = new long[images];
        for (int i = 0; i < images; i++) {
            hashes[i] = random.nextLong();
        }
        hashes[3] = hashes[2] ^ (1L << 5 | 1L << 40);
        hashes[6] = hashes[5] ^ 1L << 10;
        hashes[8] = hashes[0] ^ 0b1111L << 20;
        hashes[10] = hashes[1] ^ 0b11111L << 50;
        hashes[11] = hashes[4];
        List<Sample> all = new ArrayList<>();
        int[] n = {0};
        for (int i = 0; i < images; i++) {
            String imageId = prefix + String.format(Locale.ROOT, "%055d", i);
            String hash = i == 9 ? null : String.format(Locale.ROOT, "%016x", hashes[i]);
            String own = CAPTIONS[i];
            String next = CAPTIONS[(i + 1) % images];
            String other = CAPTIONS[(i + 5) % images];
            String third = CAPTIONS[(i + 7) % images];
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[0], own));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[1], next));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[0], own));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[0],
                    own.replace(".", " today.")));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[2], REFUSAL));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[2], REFUSAL));
            all.add(sample(prefix, n, imageId, hash, "quota_probe", "coco", INSTRUCTIONS[2], other));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[2], other));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "quota_probe_source", INSTRUCTIONS[3], third));
            all.add(sample(prefix, n, imageId, hash, "brief_caption", "coco", INSTRUCTIONS[3],
                    third.replace(".", " again.")));
            all.add(sample(prefix, n, imageId, hash, "quota_probe", "coco", INSTRUCTIONS[1],
                    CAPTIONS[(i + 3) % images]));
            all.add(sample(prefix, n, imageId, hash, "object_counting", "quota_probe_source", INSTRUCTIONS[3],
                    CAPTIONS[(i + 9) % images]));
        }
        Collections.shuffle(all, random);
        int[] sizes = {1, 9, 30, 2, 50, 3};
        List<List<Sample>> batches = new ArrayList<>();
        int from = 0;
        for (int b = 0; from < all.size(); b++) {
            int size = b < sizes.length ? sizes[b] : 40;
            List<Sample> batch = new ArrayList<>(all.subList(from, Math.min(all.size(), from + size)));
            if (!batches.isEmpty()) {
                // Redeliveries: two samples of the poll before, and one sample of this poll twice.
                List<Sample> before = batches.get(batches.size() - 1);
                batch.add(random.nextInt(batch.size() + 1), before.get(random.nextInt(before.size())));
                batch.add(random.nextInt(batch.size() + 1), before.get(0));
                batch.add(random.nextInt(batch.size() + 1), batch.get(random.nextInt(batch.size())));
            }
            batches.add(batch);
            from += size;
        }
        return batches;
    }

    private static Sample sample(String prefix, int[] n, String imageId, String hash, String task, String dataset,
            String instruction, String answer) {
        String id = prefix + String.format(Locale.ROOT, "%023d", n[0]++);
        return new Sample(Sample.SCHEMA_VERSION, id, imageId, "images/aa/bb/" + imageId + ".jpeg",
                List.of(Turn.human("<image>\n" + instruction), Turn.gpt(answer)), task, "caption",
                new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null,
                        new SourceRef(dataset, "train", "1", "x.jpg"), List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", new GroundTruth(List.of(answer), Map.of(), hash));
    }

    private static void resetQuotas() throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("delete from filtering.quota_counts where quota_key like 'quota_probe%'")
                        .executeUpdate())));
    }

    private static void forgetImages(String prefix) throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery("delete from filtering.image_hash_bands where image_id like ?1")
                        .setParameter(1, prefix + "%").executeUpdate()
                        .chain(() -> s.createNativeQuery("delete from filtering.image_hashes where image_id like ?1")
                                .setParameter(1, prefix + "%").executeUpdate()))));
    }
}
