package io.vlitforge.filtering.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.hibernate.reactive.panache.Panache;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Which images enter the perceptual-hash index, against the real PostgreSQL; nothing is stubbed. Only an
 * image with a sample that is finally accepted stays indexed: a sample another filter rejected is only looked
 * up (it still gets a verdict), and an image whose samples a quota turned away leaves the index again, so
 * neither can make a later picture a duplicate. The test profile gives task {@code quota_probe} a quota of 5.
 */
@QuarkusTest
class ImageHashIndexTest {

    private static final String REFUSAL = "I'm sorry, but I cannot describe the people in this image.";

    @Inject
    VerdictRepository repository;
    @Inject
    FilterChain chain;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    private final Random random = new Random();

    @Test
    void aSampleAnotherFilterRejectedIsOnlyLookedUpAndNeverIndexesItsImage() throws Throwable {
        long hash = random.nextLong();
        String refused = newImageId();
        String kept = newImageId();
        String refusedCopy = newImageId();
        String twoSamples = newImageId();
        long twoSamplesHash = random.nextLong();

        List<Verdict.Outcome> first = outcomes(decide(List.of(
                sample(refused, hash, "brief_caption", REFUSAL),
                sample(twoSamples, twoSamplesHash, "brief_caption", REFUSAL),
                sample(twoSamples, twoSamplesHash, "brief_caption", "A small boat tied to a wooden dock on a lake."))));
        assertEquals(List.of(Verdict.Outcome.REJECTED, Verdict.Outcome.REJECTED, Verdict.Outcome.ACCEPTED), first);
        assertEquals(Set.of(twoSamples), indexed(refused, twoSamples), "only an image with a passing sample");

        List<VerdictRepository.Decision> second = decide(List.of(
                sample(kept, hash ^ 1L, "brief_caption", "A brown horse grazing in a green field by a fence."),
                sample(refusedCopy, hash ^ 3L << 20, "brief_caption", REFUSAL)));
        assertEquals(Verdict.Outcome.ACCEPTED, second.get(0).outcome(),
                "the refused image was never indexed, so a copy of it is no duplicate");
        Verdict lookedUp = nearImage(second.get(1));
        assertEquals(Verdict.Outcome.REJECTED, lookedUp.outcome(), "a rejected sample still gets its verdict");
        assertEquals("duplicate.near_image", lookedUp.reason());
        assertTrue(lookedUp.detail().endsWith(kept) && lookedUp.detail().contains("3 of 64 bits"), lookedUp.detail());
        assertEquals(Set.of(kept, twoSamples), indexed(refused, kept, refusedCopy, twoSamples));
    }

    @Test
    void anImageWhoseOnlySamplesAQuotaTurnedAwayLeavesTheIndex() throws Throwable {
        VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> Panache.getSession()
                .chain(s -> s.createNativeQuery(
                        "delete from filtering.quota_counts where quota_key like 'quota_probe%'").executeUpdate())));
        List<String> images = new ArrayList<>();
        List<Long> hashes = new ArrayList<>();
        List<Sample> probes = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            images.add(newImageId());
            hashes.add(random.nextLong());
            probes.add(sample(images.get(i), hashes.get(i), "quota_probe", "A man riding a horse on a beach."));
        }
        List<VerdictRepository.Decision> decided = decide(probes);
        Set<String> accepted = new HashSet<>();
        List<Integer> turnedAway = new ArrayList<>();
        for (int i = 0; i < decided.size(); i++) {
            assertEquals(Verdict.Outcome.ACCEPTED, nearImage(decided.get(i)).outcome());
            if (decided.get(i).outcome() == Verdict.Outcome.ACCEPTED) {
                accepted.add(images.get(i));
            } else {
                turnedAway.add(i);
                Verdict quota = decided.get(i).verdicts().get(decided.get(i).verdicts().size() - 1);
                assertEquals("quota.task_full", quota.reason());
            }
        }
        assertEquals(5, accepted.size());
        assertEquals(2, turnedAway.size());
        assertEquals(accepted, indexed(images.toArray(String[]::new)), "the turned-away images left the index");

        int keptIndex = images.indexOf(accepted.iterator().next());
        List<Sample> copies = new ArrayList<>();
        for (int i : turnedAway) {
            copies.add(sample(newImageId(), hashes.get(i) ^ 1L << 40, "brief_caption",
                    "A man riding a horse on a beach at dawn."));
        }
        copies.add(sample(newImageId(), hashes.get(keptIndex) ^ 1L << 40, "brief_caption",
                "A man riding a horse on a beach at dawn."));
        List<VerdictRepository.Decision> copied = decide(copies);
        assertEquals(Verdict.Outcome.ACCEPTED, copied.get(0).outcome());
        assertEquals(Verdict.Outcome.ACCEPTED, copied.get(1).outcome());
        assertEquals(Verdict.Outcome.REJECTED, copied.get(2).outcome());
        assertTrue(nearImage(copied.get(2)).detail().endsWith(images.get(keptIndex)));
    }

    private static List<Verdict.Outcome> outcomes(List<VerdictRepository.Decision> decisions) {
        return decisions.stream().map(VerdictRepository.Decision::outcome).toList();
    }

    private static Verdict nearImage(VerdictRepository.Decision decision) {
        return decision.verdicts().stream().filter(v -> v.filter().equals(NearImageFilter.NAME)).findFirst()
                .orElseThrow();
    }

    private List<VerdictRepository.Decision> decide(List<Sample> batch) throws Throwable {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<VerdictRepository.Pending> pending = batch.stream()
                .map(s -> new VerdictRepository.Pending(s, chain.check(s))).toList();
        return VertxContextSupport.subscribeAndAwait(() -> repository.decideAll(pending, chain, now));
    }

    private Set<String> indexed(String... imageIds) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select image_id from filtering.image_hashes where image_id = any(?)")) {
            st.setArray(1, c.createArrayOf("varchar", imageIds));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Sample sample(String imageId, long hash, String task, String answer) {
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt(answer)), task, "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", new GroundTruth(List.of(answer), Map.of(),
                        String.format(Locale.ROOT, "%016x", hash)));
    }

    private static String newImageId() {
        return Ids.imageId(UUID.randomUUID().toString().getBytes());
    }
}
