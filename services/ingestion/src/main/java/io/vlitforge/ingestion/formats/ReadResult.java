package io.vlitforge.ingestion.formats;

import java.util.ArrayList;
import java.util.List;

/**
 * What a reader made of a source, collected: the images with their annotations, and every entry it could
 * not use, each with a stable reason code. A bad entry never stops the reading of the rest. Being an
 * {@link ItemSink}, it also collects what a streaming reader hands over (for tests and small sources).
 */
public final class ReadResult implements ItemSink {

    /** An entry of the source that was refused, and why. */
    public record Problem(String item, String reason, String detail) {
    }

    public final List<SourceItem> items = new ArrayList<>();
    public final List<Problem> problems = new ArrayList<>();

    @Override
    public void item(SourceItem item) {
        items.add(item);
    }

    @Override
    public void problem(String item, String reason, String detail) {
        problems.add(new Problem(item == null ? "?" : item, reason, detail == null ? "" : detail));
    }
}
