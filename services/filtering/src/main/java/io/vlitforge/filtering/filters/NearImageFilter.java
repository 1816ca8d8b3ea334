package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Near-duplicate pictures by perceptual hash, the pure half: the same photo re-encoded, resized or
 * recompressed by another data set arrives as a different image (its sha256 id differs) whose 64-bit dHash
 * (computed by ingestion, carried on {@code Sample.groundTruth().perceptualHash()}) is a few bits away. A
 * sample whose image is a DIFFERENT image within {@code maxDistance} bits (Hamming) of an image already
 * indexed is rejected; samples of one image are never near-duplicates of each other.
 * <p>
 * The index lives in PostgreSQL ({@code ImageHashIndex}) so that it holds across replicas and runs. To find
 * candidates without comparing against every image, the 64 bits are split into {@code bands} contiguous
 * bands, and an image is indexed under each band's value. By the pigeonhole principle two hashes at most
 * {@code bands - 1} bits apart agree exactly on at least one band, so with {@code maxDistance < bands} no
 * near-duplicate can be missed; the constructor refuses any other setting. The default, distance 4 with 5
 * bands (12, 13, 13, 13 and 13 bits), keeps a bucket to about one image in 4,096..8,192.
 */
public final class NearImageFilter {

    public static final String NAME = "near_image";
    public static final String VERSION = "1";
    public static final String REASON = "duplicate.near_image";
    /** The score of a sample whose hash shares no band with another indexed image. */
    public static final int NO_CANDIDATE = 64;

    private final int maxDistance;
    private final int bands;
    private final Map<String, Object> parameters;

    public NearImageFilter(int maxDistance, int bands) {
        if (bands < 1 || bands > 64) {
            throw new IllegalArgumentException("near-image needs 1 <= bands <= 64, got " + bands);
        }
        if (maxDistance < 0 || maxDistance >= bands) {
            throw new IllegalArgumentException("near-image needs 0 <= max-distance < bands (pigeonhole: a pair "
                    + "within max-distance bits must agree on a whole band), got max-distance " + maxDistance
                    + " with " + bands + " bands");
        }
        this.maxDistance = maxDistance;
        this.bands = bands;
        this.parameters = new LinkedHashMap<>();
        parameters.put("maxDistance", maxDistance);
        parameters.put("bands", bands);
        parameters.put("hash", "dHash 64 bits");
    }

    public Map<String, Object> parameters() {
        return parameters;
    }

    public int maxDistance() {
        return maxDistance;
    }

    public int bands() {
        return bands;
    }

    /** The sample's image hash as 64 bits, or null when it has none or it is not 16 hex digits. */
    public static Long hashOf(Sample sample) {
        String hex = sample.groundTruth() == null ? null : sample.groundTruth().perceptualHash();
        return parse(hex);
    }

    /** 16 hex digits as 64 bits, or null when {@code hex} is not that. */
    public static Long parse(String hex) {
        if (hex == null || hex.length() != 16) {
            return null;
        }
        try {
            return Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Bits that differ between two hashes. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /**
     * The value of each band of {@code hash}: band {@code i} is bits {@code [i*64/bands, (i+1)*64/bands)}
     * counted from the most significant bit, as an unsigned number.
     */
    public long[] bandValues(long hash) {
        long[] values = new long[bands];
        for (int band = 0; band < bands; band++) {
            int from = band * 64 / bands;
            int to = (band + 1) * 64 / bands;
            int width = to - from;
            long shifted = hash >>> (64 - to);
            values[band] = width == 64 ? shifted : shifted & ((1L << width) - 1);
        }
        return values;
    }

    /** The earlier image a sample's image is closest to among those sharing a band, and how far apart. */
    public record Match(String imageId, int distance) {
    }

    /** A sample whose image carries no usable hash: passes, and the verdict says why it was not checked. */
    public Verdict noHash(Sample sample) {
        String hex = sample.groundTruth() == null ? null : sample.groundTruth().perceptualHash();
        return new Verdict(NAME, VERSION, NO_CANDIDATE, maxDistance, Verdict.Outcome.ACCEPTED, null,
                hex == null ? "no perceptual hash: not checked"
                        : "perceptual hash '" + hex + "' is not 16 hex digits: not checked");
    }

    /**
     * A sample of an image that is indexed already: it passes, because the image was there first, whatever
     * image near it came later ({@code nearest}, or null).
     */
    public Verdict indexed(Match nearest) {
        return new Verdict(NAME, VERSION, nearest == null ? NO_CANDIDATE : nearest.distance(), maxDistance,
                Verdict.Outcome.ACCEPTED, null, null);
    }

    /** {@code nearest} is the closest other indexed image sharing a band, or null when none does. */
    public Verdict verdict(Match nearest) {
        if (nearest == null || nearest.distance() > maxDistance) {
            return new Verdict(NAME, VERSION, nearest == null ? NO_CANDIDATE : nearest.distance(), maxDistance,
                    Verdict.Outcome.ACCEPTED, null, null);
        }
        return new Verdict(NAME, VERSION, nearest.distance(), maxDistance, Verdict.Outcome.REJECTED, REASON,
                String.format(Locale.ROOT, "perceptual hash %d of 64 bits (<= %d) from image %s",
                        nearest.distance(), maxDistance, nearest.imageId()));
    }
}
