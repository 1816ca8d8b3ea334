package io.vlitforge.filtering.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.NoveltyFilter;
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
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The optional ROUGE-L novelty filter against the real PostgreSQL pool, switched on for this test by a chain
 * built from the configured one; decisions made at once in transactions of their own, as replicas would make
 * them. Nothing is stubbed.
 */
@QuarkusTest
class NoveltyPoolTest {

    private static final List<String> PARAPHRASES = List.of("What color is the fire hydrant in the image?",
            "What color is the fire hydrant in the picture?", "What color is the fire hydrant in the photo?",
            "What colour is the fire hydrant in the image?", "Which color is the fire hydrant in the image?",
            "What color is the red fire hydrant in the image?");
    private static final List<String> ANSWERS = List.of("It is red with a white cap.",
            "Bright red, partly buried in snow.", "The hydrant is painted a deep crimson.",
            "Red, with some rust near the base.", "A cherry red shade, half covered.",
            "Scarlet, next to the plowed sidewalk.");

    @Inject
    VerdictRepository repository;
    @Inject
    FilterChain configured;

    private FilterChain withNovelty() {
        return new FilterChain(configured.filters(), configured.exactDuplicate(), configured.nearDuplicate(),
                new NoveltyFilter(true, 0.7, true, 1000), configured.quota());
    }

    @Test
    void aRephrasedInstructionIsRejectedAndANewOneAccepted() throws Exception {
        FilterChain chain = withNovelty();
        String imageId = newImageId();
        Sample first = sample(imageId, PARAPHRASES.get(0), ANSWERS.get(0));
        Sample again = sample(imageId, PARAPHRASES.get(3), ANSWERS.get(3));
        Sample fresh = sample(imageId, "What challenges might this city face in winter?",
                "Heavy snow can block roads and bury hydrants.");
        assertEquals(Verdict.Outcome.ACCEPTED, decide(chain, first).outcome());
        VerdictRepository.Decision rephrased = decide(chain, again);
        assertEquals(Verdict.Outcome.REJECTED, rephrased.outcome());
        Verdict novelty = noveltyOf(rephrased);
        assertEquals(NoveltyFilter.NOT_NOVEL, novelty.reason());
        assertTrue(novelty.score() >= 0.7 && novelty.detail().contains(first.id()), novelty.detail());
        assertEquals(Verdict.Outcome.ACCEPTED, decide(chain, fresh).outcome());
        assertEquals(Verdict.Outcome.ACCEPTED, decide(chain, sample(newImageId(), PARAPHRASES.get(3),
                ANSWERS.get(3))).outcome(), "the pool is per image by default");
        assertEquals("off", noveltyOf(decide(configured, sample(newImageId(), "Describe it.", "A red hydrant.")))
                .detail(), "off by default");
    }

    @Test
    void ofManyParaphrasesDecidedAtOnceExactlyOneIsAccepted() throws Exception {
        FilterChain chain = withNovelty();
        String imageId = newImageId();
        ExecutorService pool = Executors.newFixedThreadPool(PARAPHRASES.size());
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<VerdictRepository.Decision>> futures = new ArrayList<>();
            for (int i = 0; i < PARAPHRASES.size(); i++) {
                Sample sample = sample(imageId, PARAPHRASES.get(i), ANSWERS.get(i));
                Callable<VerdictRepository.Decision> decide = () -> {
                    start.await();
                    return decide(chain, sample);
                };
                futures.add(pool.submit(decide));
            }
            start.countDown();
            int accepted = 0;
            for (Future<VerdictRepository.Decision> f : futures) {
                VerdictRepository.Decision d = f.get();
                if (d.outcome() == Verdict.Outcome.ACCEPTED) {
                    accepted++;
                } else {
                    assertEquals(NoveltyFilter.NOT_NOVEL, d.verdicts().stream().filter(v -> v.outcome()
                            == Verdict.Outcome.REJECTED).findFirst().orElseThrow().reason());
                }
            }
            assertEquals(1, accepted);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Verdict noveltyOf(VerdictRepository.Decision d) {
        return d.verdicts().stream().filter(v -> v.filter().equals(NoveltyFilter.NAME)).findFirst().orElseThrow();
    }

    private VerdictRepository.Decision decide(FilterChain chain, Sample sample) throws Exception {
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

    private static String newImageId() {
        return Ids.imageId(UUID.randomUUID().toString().getBytes());
    }

    private static Sample sample(String imageId, String question, String answer) {
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\n" + question), Turn.gpt(answer)),
                "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z");
    }
}
