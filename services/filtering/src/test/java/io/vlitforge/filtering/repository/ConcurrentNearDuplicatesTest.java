package io.vlitforge.filtering.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vlitforge.filtering.filters.FilterChain;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Many decisions at once against the real PostgreSQL, each in its own transaction on its own connection,
 * as filtering replicas would make them; nothing is stubbed. Kafka is not involved: this is about the
 * index's unique key being the near-duplicate test.
 */
@QuarkusTest
class ConcurrentNearDuplicatesTest {

    private static final int SAMPLES = 8;

    @Inject
    VerdictRepository repository;
    @Inject
    FilterChain chain;

    @Test
    void ofManyNearDuplicatesDecidedAtOnceExactlyOneIsAccepted() throws Exception {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        String base = "A red double decker bus driving down a busy city street past tall buildings and people"
                + " waiting at the bus stop on a rainy afternoon";
        String[] endings = {"today", "again", "slowly", "quietly", "briefly", "downtown", "nearby", "outside"};
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            samples.add(sample(imageId, base + " " + endings[i] + "."));
        }
        ExecutorService pool = Executors.newFixedThreadPool(SAMPLES);
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
            Map<Verdict.Outcome, Long> outcomes = results.stream()
                    .collect(Collectors.groupingBy(VerdictRepository.Decision::outcome, Collectors.counting()));
            assertEquals(Map.of(Verdict.Outcome.ACCEPTED, 1L, Verdict.Outcome.REJECTED, (long) SAMPLES - 1),
                    outcomes);
            String winner = samples.get(results.stream().map(VerdictRepository.Decision::outcome).toList()
                    .indexOf(Verdict.Outcome.ACCEPTED)).id();
            for (VerdictRepository.Decision decision : results) {
                if (decision.outcome() == Verdict.Outcome.REJECTED) {
                    Verdict near = decision.verdicts().stream().filter(v -> v.filter().equals("near_duplicate"))
                            .findFirst().orElseThrow();
                    assertEquals("duplicate.near", near.reason());
                    assertTrue(near.detail().endsWith(winner), near.detail() + " names " + winner);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** On a Vert.x context of its own, as a consumer would, so each decision gets its own transaction. */
    private VerdictRepository.Decision decide(Sample sample) throws Exception {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try {
            return VertxContextSupport.subscribeAndAwait(() -> repository.decide(sample, chain.check(sample), chain,
                    now));
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static Sample sample(String imageId, String answer) {
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt(answer)), "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z");
    }
}
