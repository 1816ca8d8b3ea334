package io.vlitforge.filtering.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.NearImageFilter;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Two filtering replicas deciding at the same time against the real PostgreSQL, each a whole poll in one
 * transaction on its own connection; nothing is stubbed. Every pair of near-duplicate pictures is split
 * between the two polls (in opposite orders, so their band-key claims collide), and each pair must be caught
 * exactly once: one image kept, every sample of the other rejected naming it. Images that share a band with
 * another but are far from every image, and second samples of one image, must pass.
 */
@QuarkusTest
class ConcurrentNearImagesTest {

    private static final int ROUNDS = 3;
    private static final int PAIRS = 12;
    private static final int FAR = 6;

    @Inject
    VerdictRepository repository;
    @Inject
    FilterChain chain;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    /** A picture of the test: its id and its hash. */
    private record Image(String id, long hash) {
    }

    @Test
    void everyNearDuplicatePairSplitBetweenTwoConcurrentPollsIsCaughtExactlyOnce() throws Exception {
        NearImageFilter filter = chain.nearImage();
        Random random = new Random();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<Image> all = new ArrayList<>();
                List<Image[]> pairs = new ArrayList<>();
                for (int i = 0; i < PAIRS; i++) {
                    Image a = new Image(newImageId(), farFromAll(random, all, 0));
                    all.add(a);
                    long near = a.hash();
                    int flips = i % (filter.maxDistance() + 1); // 0 (the same hash) .. max-distance bits
                    while (NearImageFilter.distance(a.hash(), near) < flips) {
                        near ^= 1L << random.nextInt(64);
                    }
                    Image b = new Image(newImageId(), near);
                    all.add(b);
                    pairs.add(new Image[] {a, b});
                }
                List<Image> far = new ArrayList<>();
                for (int i = 0; i < FAR; i++) {
                    // Shares band 0 with a pair's first image, so it is a candidate, but is far from everything.
                    Image f = new Image(newImageId(), farFromAll(random, all, pairs.get(i)[0].hash()));
                    all.add(f);
                    far.add(f);
                    assertTrue(filter.bandValues(f.hash())[0] == filter.bandValues(pairs.get(i)[0].hash())[0]);
                }

                // Poll one gets the first image of even pairs and the second of odd pairs, poll two the others,
                // in reverse order; far images and second samples of some images go to the other poll.
                List<Sample> one = new ArrayList<>();
                List<Sample> two = new ArrayList<>();
                Map<String, List<String>> samplesOf = new HashMap<>();
                for (int i = 0; i < PAIRS; i++) {
                    Image first = pairs.get(i)[i % 2];
                    Image second = pairs.get(i)[1 - i % 2];
                    one.add(sample(first, 0, samplesOf));
                    two.add(sample(second, 0, samplesOf));
                    if (i % 3 == 0) {
                        two.add(sample(first, 1, samplesOf));
                    }
                }
                for (int i = 0; i < FAR; i++) {
                    (i % 2 == 0 ? one : two).add(sample(far.get(i), 0, samplesOf));
                    (i % 2 == 0 ? two : one).add(sample(far.get(i), 1, samplesOf));
                }
                Collections.reverse(two);

                CountDownLatch start = new CountDownLatch(1);
                Future<List<VerdictRepository.Decision>> first = pool.submit(() -> {
                    start.await();
                    return decideAll(one);
                });
                Future<List<VerdictRepository.Decision>> second = pool.submit(() -> {
                    start.await();
                    return decideAll(two);
                });
                start.countDown();
                Map<String, Verdict.Outcome> outcomes = new HashMap<>();
                Map<String, Verdict> nearImage = new HashMap<>();
                collect(one, first.get(), outcomes, nearImage);
                collect(two, second.get(), outcomes, nearImage);

                for (Map.Entry<String, Verdict.Outcome> outcome : outcomes.entrySet()) {
                    Verdict v = nearImage.get(outcome.getKey());
                    assertEquals(outcome.getValue(), v.outcome(), "near_image alone decides " + outcome.getKey()
                            + " (every other filter passes it): " + v);
                }
                Set<String> kept = new HashSet<>();
                for (Image[] pair : pairs) {
                    int distance = NearImageFilter.distance(pair[0].hash(), pair[1].hash());
                    boolean firstKept = keptAll(pair[0], samplesOf, outcomes);
                    boolean secondKept = keptAll(pair[1], samplesOf, outcomes);
                    assertTrue(firstKept != secondKept, "round " + round + ": exactly one of a pair " + distance
                            + " bits apart is kept: " + pair[0].id() + " " + firstKept + ", " + pair[1].id() + " "
                            + secondKept);
                    Image keeper = firstKept ? pair[0] : pair[1];
                    Image copy = firstKept ? pair[1] : pair[0];
                    kept.add(keeper.id());
                    for (String sampleId : samplesOf.get(copy.id())) {
                        Verdict v = nearImage.get(sampleId);
                        assertEquals(Verdict.Outcome.REJECTED, outcomes.get(sampleId), sampleId);
                        assertEquals("duplicate.near_image", v.reason());
                        assertEquals(distance, (int) v.score());
                        assertTrue(v.detail().endsWith(keeper.id()) && v.detail().contains(distance + " of 64 bits"),
                                v.detail() + " names " + keeper.id() + " at " + distance + " bits");
                    }
                }
                for (Image f : far) {
                    assertTrue(keptAll(f, samplesOf, outcomes), "a far image is kept: " + f.id());
                    kept.add(f.id());
                }
                assertEquals(kept, indexed(all), "the index holds exactly the kept images");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean keptAll(Image image, Map<String, List<String>> samplesOf,
            Map<String, Verdict.Outcome> outcomes) {
        List<Verdict.Outcome> of = samplesOf.get(image.id()).stream().map(outcomes::get).distinct().toList();
        assertEquals(1, of.size(), "every sample of " + image.id() + " has one outcome: " + of);
        return of.get(0) == Verdict.Outcome.ACCEPTED;
    }

    private static void collect(List<Sample> batch, List<VerdictRepository.Decision> decisions,
            Map<String, Verdict.Outcome> outcomes, Map<String, Verdict> nearImage) {
        assertEquals(batch.size(), decisions.size());
        for (int i = 0; i < batch.size(); i++) {
            outcomes.put(batch.get(i).id(), decisions.get(i).outcome());
            nearImage.put(batch.get(i).id(), decisions.get(i).verdicts().stream()
                    .filter(v -> v.filter().equals(NearImageFilter.NAME)).findFirst().orElseThrow());
        }
    }

    /** A hash more than 12 bits from every hash so far; band 0 is {@code band0Of}'s when that is not 0. */
    private long farFromAll(Random random, List<Image> so, long band0Of) {
        NearImageFilter filter = chain.nearImage();
        while (true) {
            long hash = random.nextLong();
            if (band0Of != 0) {
                long band0 = -1L << (64 - 64 / filter.bands());
                hash = band0Of & band0 | hash & ~band0;
            }
            long candidate = hash;
            if (so.stream().allMatch(i -> NearImageFilter.distance(i.hash(), candidate) > 12)) {
                return hash;
            }
        }
    }

    private Set<String> indexed(List<Image> images) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select image_id from filtering.image_hashes where image_id = any(?)")) {
            st.setArray(1, c.createArrayOf("varchar", images.stream().map(Image::id).toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** One poll in one transaction, on a Vert.x context of its own, as a replica's consumer would. */
    private List<VerdictRepository.Decision> decideAll(List<Sample> batch) throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<VerdictRepository.Pending> pending = batch.stream()
                .map(s -> new VerdictRepository.Pending(s, chain.check(s))).toList();
        try {
            return VertxContextSupport.subscribeAndAwait(() -> repository.decideAll(pending, chain, now));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final String[] CAPTIONS = {
        "A red double decker bus driving down a busy city street.",
        "Several people waiting at a bus stop in the rain with umbrellas.",
    };

    private static Sample sample(Image image, int which, Map<String, List<String>> samplesOf) {
        String id = UUID.randomUUID().toString().replace("-", "");
        samplesOf.computeIfAbsent(image.id(), k -> new ArrayList<>()).add(id);
        return new Sample(Sample.SCHEMA_VERSION, id, image.id(), "images/aa/bb/" + image.id() + ".jpeg",
                List.of(Turn.human("<image>\nDescribe the image concisely."), Turn.gpt(CAPTIONS[which])),
                "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", new GroundTruth(List.of(CAPTIONS), Map.of(),
                        String.format(Locale.ROOT, "%016x", image.hash())));
    }

    private static String newImageId() {
        return Ids.imageId(UUID.randomUUID().toString().getBytes());
    }
}
