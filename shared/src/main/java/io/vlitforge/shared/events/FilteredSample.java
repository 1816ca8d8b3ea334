package io.vlitforge.shared.events;

import java.util.List;

/**
 * Emitted on {@code samples.accepted} or {@code samples.rejected}: the sample with every verdict that
 * decided it, so a rejection always carries its reason.
 */
public record FilteredSample(int schemaVersion, Sample sample, Verdict.Outcome outcome, List<Verdict> verdicts)
        implements VersionedEvent {

    public static final int SCHEMA_VERSION = 1;

    public FilteredSample {
        verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
    }
}
