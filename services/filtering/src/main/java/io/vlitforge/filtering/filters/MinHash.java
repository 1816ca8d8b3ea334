package io.vlitforge.filtering.filters;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * MinHash signatures and their LSH band keys, for near-duplicate detection without comparing every pair.
 * The share of equal positions in two signatures estimates the Jaccard similarity of the shingle sets;
 * splitting a signature into {@code bands} of {@code rows} makes two sets with Jaccard {@code s} share at
 * least one band key with probability {@code 1 - (1 - s^rows)^bands}. Everything is derived from fixed
 * constants, not from {@link String#hashCode()} or a random seed, because signatures and keys are stored
 * and must mean the same on every replica and after every restart.
 */
public final class MinHash {

    private static final long SEED = 0x5f3759df_9e3779b9L;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final int bands;
    private final int rows;
    private final long[] salts;

    public MinHash(int bands, int rows) {
        if (bands < 1 || rows < 1) {
            throw new IllegalArgumentException("MinHash needs at least one band of one row");
        }
        this.bands = bands;
        this.rows = rows;
        this.salts = new long[bands * rows];
        long state = SEED;
        for (int i = 0; i < salts.length; i++) {
            state += 0x9e3779b97f4a7c15L;
            salts[i] = mix(state);
        }
    }

    public int bands() {
        return bands;
    }

    public int size() {
        return salts.length;
    }

    /** One minimum per hash function; an empty set gets all-maximum values (similar to nothing but itself). */
    public int[] signature(Collection<String> shingles) {
        long[] min = new long[salts.length];
        Arrays.fill(min, Long.MAX_VALUE);
        for (String shingle : shingles) {
            long base = fnv(shingle);
            for (int i = 0; i < salts.length; i++) {
                long h = mix(base ^ salts[i]) >>> 1;
                if (h < min[i]) {
                    min[i] = h;
                }
            }
        }
        int[] signature = new int[salts.length];
        for (int i = 0; i < min.length; i++) {
            signature[i] = (int) (min[i] >>> 31);
        }
        return signature;
    }

    /** The share of equal positions; signatures of different lengths come from different settings and never match. */
    public static double estimatedJaccard(int[] a, int[] b) {
        if (a.length != b.length || a.length == 0) {
            return 0.0;
        }
        int equal = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                equal++;
            }
        }
        return (double) equal / a.length;
    }

    /**
     * One 64-bit key per band: a hash of the scope (e.g. the image id), the band settings and the band's
     * rows. Putting the scope in the key keeps near-duplicate detection within it, and putting the settings
     * in makes keys from different settings never collide.
     */
    public long[] bandKeys(int[] signature, String scope) {
        if (signature.length != salts.length) {
            throw new IllegalArgumentException("signature of " + signature.length + " values, expected "
                    + salts.length);
        }
        long prefix = fnv(scope + '\u0000' + bands + 'x' + rows);
        long[] keys = new long[bands];
        for (int band = 0; band < bands; band++) {
            long h = mix(prefix ^ band);
            for (int row = 0; row < rows; row++) {
                h = mix(h * 31 + signature[band * rows + row]);
            }
            keys[band] = h;
        }
        return keys;
    }

    static long fnv(String text) {
        long h = FNV_OFFSET;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
