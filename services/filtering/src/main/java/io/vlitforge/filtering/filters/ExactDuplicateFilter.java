package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;

/**
 * Exact-duplicate removal, the pure half: a sample's {@link ContentFingerprint} and the verdict once the
 * fingerprint's owner is known. Who owns a fingerprint is decided by a unique key in PostgreSQL, so the
 * decision holds across replicas.
 */
public final class ExactDuplicateFilter {

    public static final String NAME = "exact_duplicate";
    public static final String VERSION = "1";

    public String fingerprint(Sample sample) {
        return ContentFingerprint.of(sample);
    }

    /** {@code owner} is the sample that holds the fingerprint, or null when nobody does. */
    public Verdict verdict(String sampleId, String owner) {
        if (owner == null || owner.equals(sampleId)) {
            return new Verdict(NAME, VERSION, 0.0, 0.0, Verdict.Outcome.ACCEPTED, null, null);
        }
        return new Verdict(NAME, VERSION, 1.0, 0.0, Verdict.Outcome.REJECTED, "duplicate.exact",
                "same image and conversation as sample " + owner);
    }
}
