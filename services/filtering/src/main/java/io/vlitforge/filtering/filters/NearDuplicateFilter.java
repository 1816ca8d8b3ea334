package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Near-duplicate detection by MinHash-LSH over word shingles of instructions and answers. This class is
 * the pure half: it turns a sample into a signature and its band keys, and a confirmed match into a
 * verdict. The index itself is in PostgreSQL ({@code NearDuplicateIndex}), because a decision has to hold
 * across replicas and runs. A band-key collision only makes a candidate; the estimated Jaccard against the
 * candidate's stored signature must reach the threshold before a sample is rejected.
 * <p>
 * By default only samples of the same image are compared: different images legitimately share answers
 * ("There are two people."), while the same answer twice about one image is redundant.
 */
public final class NearDuplicateFilter {

    public static final String NAME = "near_duplicate";
    public static final String VERSION = "1";
    public static final String GLOBAL_SCOPE = "*";

    /** What the index needs about one sample. */
    public record Probe(String scope, int[] signature, long[] bandKeys) {
    }

    /** The earlier sample a new one collided with, and how similar they are. */
    public record Match(String sampleId, double jaccard) {
    }

    private final int shingleWords;
    private final double threshold;
    private final boolean perImage;
    private final MinHash minHash;
    private final Map<String, Object> parameters;

    public NearDuplicateFilter(int shingleWords, int bands, int rows, double threshold, boolean perImage) {
        if (shingleWords < 1 || threshold <= 0 || threshold > 1) {
            throw new IllegalArgumentException("near-duplicates need shingle-words >= 1 and 0 < threshold <= 1");
        }
        this.shingleWords = shingleWords;
        this.threshold = threshold;
        this.perImage = perImage;
        this.minHash = new MinHash(bands, rows);
        this.parameters = new LinkedHashMap<>();
        parameters.put("shingleWords", shingleWords);
        parameters.put("bands", bands);
        parameters.put("rows", rows);
        parameters.put("threshold", threshold);
        parameters.put("scope", perImage ? "image" : "global");
    }

    public Map<String, Object> parameters() {
        return parameters;
    }

    /** How many band keys a sample has. */
    public int bands() {
        return minHash.bands();
    }

    public double threshold() {
        return threshold;
    }

    public Probe probe(Sample sample) {
        int[] signature = minHash.signature(Shingles.of(sample, shingleWords));
        String scope = perImage ? sample.imageId() : GLOBAL_SCOPE;
        return new Probe(scope, signature, minHash.bandKeys(signature, scope));
    }

    /** {@code match} is the most similar colliding sample, or null when nothing collided. */
    public Verdict verdict(Match match) {
        if (match == null || match.jaccard() < threshold) {
            return new Verdict(NAME, VERSION, match == null ? 0.0 : match.jaccard(), threshold,
                    Verdict.Outcome.ACCEPTED, null, null);
        }
        return new Verdict(NAME, VERSION, match.jaccard(), threshold, Verdict.Outcome.REJECTED, "duplicate.near",
                String.format(Locale.ROOT, "estimated Jaccard %.2f >= %.2f with sample %s",
                        match.jaccard(), threshold, match.sampleId()));
    }
}
