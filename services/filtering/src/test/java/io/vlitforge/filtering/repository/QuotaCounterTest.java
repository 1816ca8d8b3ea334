package io.vlitforge.filtering.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.QuotaFilter;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quotas against the real PostgreSQL, decided at once in transactions of their own as filtering replicas
 * would decide them; nothing is stubbed. The test profile gives task {@code quota_probe} a quota of 5 and
 * source {@code quota_probe_source} a quota of 3 (application.properties); the counters are reset first.
 */
@QuarkusTest
class QuotaCounterTest {

    @Inject
    VerdictRepository repository;
    @Inject
    FilterChain chain;

    @BeforeEach
    void reset() throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery(
                        "delete from filtering.quota_counts where quota_key like 'quota_probe%'").executeUpdate())));
    }

    @Test
    void aTaskQuotaHoldsWhenManySamplesAreDecidedAtOnce() throws Throwable {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            samples.add(sample("quota_probe", "coco", "A man riding a horse on a beach number " + i + " of twelve."));
        }
        List<VerdictRepository.Decision> results = decideAtOnce(samples);
        assertEquals(Map.of(Verdict.Outcome.ACCEPTED, 5L, Verdict.Outcome.REJECTED, 7L), outcomes(results));
        for (VerdictRepository.Decision d : results) {
            Verdict quota = d.verdicts().get(d.verdicts().size() - 1);
            assertEquals(QuotaFilter.NAME, quota.filter());
            if (d.outcome() == Verdict.Outcome.REJECTED) {
                assertEquals("quota.task_full", quota.reason());
                assertTrue(quota.detail().contains("'quota_probe'") && quota.detail().contains("5"), quota.detail());
            } else {
                assertTrue(quota.score() >= 1 && quota.score() <= 5 && quota.threshold() == 5, quota.toString());
            }
        }
        // Full stays full: one more, alone, is turned away too, and gives its duplicate-index entries back.
        Sample late = sample("quota_probe", "coco", "A woman walking a dog along the river at sunset.");
        assertEquals("quota.task_full", quotaOf(decideAtOnce(List.of(late)).get(0)).reason());
        assertEquals(0L, count("select count(*) from filtering.content_fingerprints where sample_id = '"
                + late.id() + "'"));
        assertEquals(0L, count("select count(*) from filtering.near_duplicate_bands where sample_id = '"
                + late.id() + "'"));
        assertEquals(5L, count("select accepted from filtering.quota_counts where dimension = 'task' "
                + "and quota_key = 'quota_probe'"));
    }

    @Test
    void aSourceQuotaCountsAcrossTasksAndOtherSourcesAreNotLimited() throws Exception {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            samples.add(sample("object_counting", "quota_probe_source", "Two dogs play in the snow, round " + i + "."));
            samples.add(sample("brief_caption", "quota_probe_source", "A cat sleeps on a red sofa, round " + i + "."));
            samples.add(sample("brief_caption", "vg", "A kite flies over the green park, round " + i + "."));
        }
        List<VerdictRepository.Decision> results = decideAtOnce(samples);
        long limitedAccepted = 0;
        for (int i = 0; i < samples.size(); i++) {
            boolean limited = samples.get(i).lineage().source().dataset().equals("quota_probe_source");
            if (!limited) {
                assertEquals(Verdict.Outcome.ACCEPTED, results.get(i).outcome(), samples.get(i).id());
            } else if (results.get(i).outcome() == Verdict.Outcome.ACCEPTED) {
                limitedAccepted++;
            } else {
                assertEquals("quota.source_full", quotaOf(results.get(i)).reason());
            }
        }
        assertEquals(3, limitedAccepted);
    }

    private static Verdict quotaOf(VerdictRepository.Decision decision) {
        return decision.verdicts().stream().filter(v -> v.filter().equals(QuotaFilter.NAME)).findFirst()
                .orElseThrow();
    }

    private long count(String sql) throws Throwable {
        return VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery(sql, Long.class).getSingleResult())));
    }

    private static Map<Verdict.Outcome, Long> outcomes(List<VerdictRepository.Decision> results) {
        return results.stream().collect(Collectors.groupingBy(VerdictRepository.Decision::outcome,
                Collectors.counting()));
    }

    private List<VerdictRepository.Decision> decideAtOnce(List<Sample> samples) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(samples.size(), 8));
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<VerdictRepository.Decision>> decisions = new ArrayList<>();
            for (Sample sample : samples) {
                Callable<VerdictRepository.Decision> decide = () -> {
                    start.await();
                    return decide(sample);
                };
                decisions.add(pool.submit(decide));
            }
            start.countDown();
            List<VerdictRepository.Decision> results = new ArrayList<>();
            for (Future<VerdictRepository.Decision> decision : decisions) {
                results.add(decision.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private VerdictRepository.Decision decide(Sample sample) throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Supplier<io.smallrye.mutiny.Uni<VerdictRepository.Decision>> decide =
                () -> repository.decide(sample, chain.check(sample), chain, now);
        try {
            return VertxContextSupport.subscribeAndAwait(decide);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static Sample sample(String task, String dataset, String answer) {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt(answer)), task, "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null,
                        new SourceRef(dataset, "train", "1", "x.jpg"), List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z");
    }
}
