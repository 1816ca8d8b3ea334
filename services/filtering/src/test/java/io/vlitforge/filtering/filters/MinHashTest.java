package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Pure unit test of MinHash, shingles and the near-duplicate verdicts on real LLaVA and COCO text. */
class MinHashTest {

    private final MinHash minHash = new MinHash(20, 5);

    private static Set<String> range(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "shingle " + i).collect(Collectors.toSet());
    }

    @Test
    void signaturesAreDeterministicAcrossInstancesAndInsertionOrder() {
        Set<String> shingles = range(0, 50);
        int[] a = minHash.signature(shingles);
        int[] b = new MinHash(20, 5).signature(new TreeSet<>(shingles));
        assertArrayEquals(a, b);
        assertEquals(100, a.length);
        assertArrayEquals(minHash.bandKeys(a, "img"), new MinHash(20, 5).bandKeys(b, "img"));
        // Pinned, so a change that would silently invalidate every stored signature and key fails here.
        int[] pinned = minHash.signature(Set.of("a man riding", "man riding a", "riding a horse"));
        assertEquals(274261180, pinned[0]);
        assertEquals(347051706, pinned[99]);
        assertEquals(7940499973003669483L, minHash.bandKeys(pinned, "img")[0]);
    }

    @Test
    void estimatedJaccardTracksTheTrueJaccard() {
        // |A ∩ B| / |A ∪ B| for A = 0..100 and B = k..100+k is (100-k)/(100+k).
        for (int k : new int[] {0, 5, 11, 25, 50, 100}) {
            double truth = k >= 100 ? 0.0 : (100.0 - k) / (100.0 + k);
            double estimate = MinHash.estimatedJaccard(minHash.signature(range(0, 100)),
                    minHash.signature(range(k, 100 + k)));
            assertEquals(truth, estimate, 0.15, "k=" + k);
        }
        assertEquals(1.0, MinHash.estimatedJaccard(minHash.signature(range(0, 10)), minHash.signature(range(0, 10))));
        assertEquals(0.0, MinHash.estimatedJaccard(new int[100], new int[50]), "different settings never match");
    }

    @Test
    void bandKeysDependOnTheScopeAndTheSettings() {
        int[] signature = minHash.signature(range(0, 30));
        long[] here = minHash.bandKeys(signature, "image-1");
        long[] there = minHash.bandKeys(signature, "image-2");
        assertEquals(20, here.length);
        for (int band = 0; band < here.length; band++) {
            assertNotEquals(here[band], there[band]);
        }
        assertEquals(20, Arrays.stream(here).distinct().count());
        long[] otherSettings = new MinHash(25, 4).bandKeys(new MinHash(25, 4).signature(range(0, 30)), "image-1");
        Set<Long> mine = Arrays.stream(here).boxed().collect(Collectors.toSet());
        assertTrue(Arrays.stream(otherSettings).noneMatch(mine::contains));
    }

    @Test
    void shinglesIgnoreCasePunctuationAndTheImageToken() {
        assertEquals(Set.of("a man riding", "man riding a", "riding a horse"),
                Shingles.of("A man, riding a HORSE!", 3));
        assertEquals(Set.of("two dogs"), Shingles.of("Two dogs.", 3));
        assertTrue(Shingles.of("", 3).isEmpty());
        Sample s = TestData.qa("brief_caption", "Describe it.", "A cat.");
        assertEquals(Set.of("describe it a", "it a cat"), Shingles.of(s, 3));
    }

    @Test
    void aLightlyEditedLlavaAnswerIsANearDuplicateAndItsVerdictNamesTheOriginal() {
        NearDuplicateFilter near = TestData.chain().nearDuplicate();
        TestData.Seed seed = TestData.llavaSeeds().stream()
                .filter(s -> s.file().equals("detail_description/002_conv.txt")).findFirst().orElseThrow();
        Sample original = seed.sample();
        Sample edited = seed.withLastAnswer(seed.lastAnswer().replace("two men", "two young men")
                .replace("enthusiasm", "great enthusiasm"));
        NearDuplicateFilter.Probe a = near.probe(original);
        NearDuplicateFilter.Probe b = near.probe(edited);
        double jaccard = MinHash.estimatedJaccard(a.signature(), b.signature());
        assertTrue(jaccard >= 0.8, "estimated Jaccard " + jaccard);
        Set<Long> keys = Arrays.stream(a.bandKeys()).boxed().collect(Collectors.toSet());
        assertTrue(Arrays.stream(b.bandKeys()).anyMatch(keys::contains), "they share a band key");

        Verdict verdict = near.verdict(new NearDuplicateFilter.Match("original-id", jaccard));
        assertEquals("duplicate.near", verdict.reason());
        assertTrue(verdict.detail().contains("original-id"), verdict.detail());
        assertEquals(Verdict.Outcome.ACCEPTED, near.verdict(new NearDuplicateFilter.Match("x", 0.79)).outcome());
        assertEquals(Verdict.Outcome.ACCEPTED, near.verdict(null).outcome());

        Sample otherImage = TestData.sample("other", "another-image", original.task(), original.conversations());
        Set<Long> otherKeys = Arrays.stream(near.probe(otherImage).bandKeys()).boxed().collect(Collectors.toSet());
        assertTrue(Arrays.stream(a.bandKeys()).noneMatch(otherKeys::contains), "scoped per image by default");
    }

    @Test
    void differentLlavaSeedsAndDifferentTasksOfOneCocoImageAreNotNearDuplicates() {
        NearDuplicateFilter near = TestData.chain().nearDuplicate();
        List<TestData.Seed> seeds = TestData.llavaSeeds();
        for (int i = 0; i < seeds.size(); i++) {
            for (int j = i + 1; j < seeds.size(); j++) {
                double jaccard = MinHash.estimatedJaccard(near.probe(seeds.get(i).sample()).signature(),
                        near.probe(seeds.get(j).sample()).signature());
                assertTrue(jaccard < near.threshold(), seeds.get(i).file() + " ~ " + seeds.get(j).file());
            }
        }
        Map<String, List<Sample>> byImage = TestData.cocoSamples().stream()
                .collect(Collectors.groupingBy(Sample::imageId));
        for (List<Sample> samples : byImage.values()) {
            for (Sample a : samples) {
                for (Sample b : samples) {
                    if (!a.task().equals(b.task())) {
                        double jaccard = MinHash.estimatedJaccard(near.probe(a).signature(), near.probe(b).signature());
                        assertFalse(jaccard >= near.threshold(), a.id() + " ~ " + b.id() + ": " + jaccard);
                    }
                }
            }
        }
        assertEquals(new HashSet<>(List.of("brief_caption", "detailed_description", "object_counting")),
                byImage.values().stream().flatMap(List::stream).map(Sample::task).collect(Collectors.toSet()));
    }
}
