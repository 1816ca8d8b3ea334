package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pure unit test of the perceptual-hash banding, the Hamming distance and the verdicts: nothing external. */
class NearImageFilterTest {

    private final NearImageFilter filter = TestData.chain().nearImage();

    @Test
    void theConfiguredFilterAllowsFourBitsWithFiveBands() {
        assertEquals(4, filter.maxDistance());
        assertEquals(5, filter.bands());
        assertEquals(Map.of("maxDistance", 4, "bands", 5, "hash", "dHash 64 bits"), filter.parameters());
    }

    @Test
    void hammingDistanceCountsDifferingBits() {
        assertEquals(0, NearImageFilter.distance(0x8f0e1c2d3b4a5968L, 0x8f0e1c2d3b4a5968L));
        assertEquals(1, NearImageFilter.distance(0L, 1L));
        assertEquals(64, NearImageFilter.distance(0L, -1L));
        assertEquals(2, NearImageFilter.distance(Long.MIN_VALUE, 1L), "the sign bit counts like any other");
        assertEquals(4, NearImageFilter.distance(NearImageFilter.parse("ffff000000000000"),
                NearImageFilter.parse("0fff000000000000")));
    }

    @Test
    void hashesAreSixteenHexDigitsOrNothing() {
        assertEquals(-1L, NearImageFilter.parse("ffffffffffffffff"), "all 64 bits, unsigned");
        assertEquals(0x00ff00ff00ff00ffL, NearImageFilter.parse("00FF00ff00ff00ff"));
        assertNull(NearImageFilter.parse(null));
        assertNull(NearImageFilter.parse("abc"));
        assertNull(NearImageFilter.parse("zzzzzzzzzzzzzzzz"));
        assertNull(NearImageFilter.parse("0ffffffffffffffff"), "17 digits");
    }

    @Test
    void theBandsCoverEveryBitOnceInOrder() {
        for (int bands = 1; bands <= 64; bands++) {
            NearImageFilter f = new NearImageFilter(bands - 1, bands);
            Random random = new Random(bands);
            for (int n = 0; n < 50; n++) {
                long hash = random.nextLong();
                long[] values = f.bandValues(hash);
                assertEquals(bands, values.length);
                long rebuilt = 0;
                for (int band = 0; band < bands; band++) {
                    int width = (band + 1) * 64 / bands - band * 64 / bands;
                    assertTrue(width == 64 || values[band] >= 0 && values[band] < 1L << width,
                            "band " + band + " of " + bands + " fits its " + width + " bits");
                    rebuilt = width == 64 ? values[band] : rebuilt << width | values[band];
                }
                assertEquals(hash, rebuilt, "the bands put back together are the hash");
            }
        }
        long[] five = filter.bandValues(NearImageFilter.parse("fff8000000000000"));
        assertEquals(List.of(4095L, 4096L, 0L, 0L, 0L), java.util.Arrays.stream(five).boxed().toList(),
                "band 0 is the 12 most significant bits, band 1 the next 13");
        long[] last = filter.bandValues(1L);
        assertEquals(1L, last[4], "the least significant bit is in the last band");
    }

    @Test
    void withinMaxDistanceAtLeastOneBandIsEqualAndBeyondItNotNecessarily() {
        Random random = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            long a = random.nextLong();
            long b = a;
            int flips = random.nextInt(filter.maxDistance() + 1);
            while (NearImageFilter.distance(a, b) < flips) {
                b ^= 1L << random.nextInt(64);
            }
            assertTrue(sharesABand(filter, a, b), Long.toHexString(a) + " " + Long.toHexString(b));
        }
        // One bit in each of the five bands: five bits apart, and no band is equal.
        long a = 0;
        long b = 1L << 63 | 1L << 51 | 1L << 38 | 1L << 25 | 1L << 12;
        assertEquals(5, NearImageFilter.distance(a, b));
        assertTrue(!sharesABand(filter, a, b), "five bands can only promise pairs up to four bits apart");
    }

    @Test
    void aSettingThePigeonholeCannotKeepIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NearImageFilter(4, 4));
        assertTrue(e.getMessage().contains("max-distance < bands"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NearImageFilter(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> new NearImageFilter(3, 65));
        assertThrows(IllegalArgumentException.class, () -> new NearImageFilter(0, 0));
    }

    @Test
    void verdictsRejectWithinMaxDistanceNamingTheOtherImageAndPassWithoutAHash() {
        Verdict near = filter.verdict(new NearImageFilter.Match("img-b", 3));
        assertEquals(Verdict.Outcome.REJECTED, near.outcome());
        assertEquals("duplicate.near_image", near.reason());
        assertEquals("near_image", near.filter());
        assertEquals(3.0, near.score());
        assertEquals(4.0, near.threshold());
        assertTrue(near.detail().contains("3 of 64 bits") && near.detail().endsWith("img-b"), near.detail());
        assertEquals(Verdict.Outcome.REJECTED, filter.verdict(new NearImageFilter.Match("img-b", 4)).outcome());
        assertEquals(Verdict.Outcome.ACCEPTED, filter.verdict(new NearImageFilter.Match("img-b", 5)).outcome());
        Verdict alone = filter.verdict(null);
        assertEquals(Verdict.Outcome.ACCEPTED, alone.outcome());
        assertEquals(64.0, alone.score());

        Sample unhashed = TestData.sample("s", "img", "brief_caption", List.of(Turn.human("<image>\nWhat?"),
                Turn.gpt("A cat.")), new GroundTruth(List.of("a cat"), Map.of()));
        assertNull(NearImageFilter.hashOf(unhashed));
        Verdict noHash = filter.noHash(unhashed);
        assertEquals(Verdict.Outcome.ACCEPTED, noHash.outcome());
        assertEquals("no perceptual hash: not checked", noHash.detail());
        Sample noTruth = TestData.sample("s", "img", "brief_caption", List.of(Turn.human("<image>\nWhat?"),
                Turn.gpt("A cat.")));
        assertNull(NearImageFilter.hashOf(noTruth));
        Sample garbled = TestData.sample("s", "img", "brief_caption", List.of(Turn.human("<image>\nWhat?"),
                Turn.gpt("A cat.")), new GroundTruth(List.of(), Map.of(), "not-a-hash"));
        assertNull(NearImageFilter.hashOf(garbled));
        assertTrue(filter.noHash(garbled).detail().contains("'not-a-hash' is not 16 hex digits"));
        Sample hashed = TestData.sample("s", "img", "brief_caption", List.of(Turn.human("<image>\nWhat?"),
                Turn.gpt("A cat.")), new GroundTruth(List.of(), Map.of(), "8f0e1c2d3b4a5968"));
        assertEquals(0x8f0e1c2d3b4a5968L, NearImageFilter.hashOf(hashed));
    }

    private static boolean sharesABand(NearImageFilter f, long a, long b) {
        long[] x = f.bandValues(a);
        long[] y = f.bandValues(b);
        for (int band = 0; band < x.length; band++) {
            if (x[band] == y[band]) {
                return true;
            }
        }
        return false;
    }
}
