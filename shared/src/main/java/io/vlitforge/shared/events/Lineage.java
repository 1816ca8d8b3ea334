package io.vlitforge.shared.events;

import java.util.ArrayList;
import java.util.List;

/**
 * How a sample was made: strategy, recipe, template, seed, generator and the source annotations, plus
 * the stages it has passed. Later stages append to {@code steps}; nothing here is ever rewritten.
 */
public record Lineage(
        Strategy strategy,
        Recipe recipe,
        String templateId,
        long seed,
        Generator generator,
        String boxConvention,
        SourceRef source,
        List<LineageStep> steps) {

    public Lineage {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** A copy with one more step at the end. */
    public Lineage withStep(LineageStep step) {
        List<LineageStep> more = new ArrayList<>(steps);
        more.add(step);
        return new Lineage(strategy, recipe, templateId, seed, generator, boxConvention, source, more);
    }
}
