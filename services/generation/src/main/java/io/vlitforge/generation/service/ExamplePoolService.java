package io.vlitforge.generation.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vlitforge.generation.repository.ExamplePoolRepository;
import io.vlitforge.generation.repository.ExamplePoolRepository.Entry;
import io.vlitforge.generation.selfinstruct.InContextRecipe;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fills the in-context variant's example pool from {@code samples.accepted}: a sample filtering accepted
 * becomes an example when it is a self-instruct sample of one of LLaVA's three response types whose
 * conversation can be written back in the reply format. The in-context recipe's own samples are left out,
 * so the examples stay anchored in samples made from the fixed seeds rather than drift on themselves.
 */
@ApplicationScoped
public class ExamplePoolService {

    private static final Set<String> TASKS = InContextRecipe.exampleTasks();

    private final ExamplePoolRepository repository;
    private final MeterRegistry metrics;

    public ExamplePoolService(ExamplePoolRepository repository, MeterRegistry metrics) {
        this.repository = repository;
        this.metrics = metrics;
    }

    /** Adds the usable samples of a batch to the pool; the item is how many were offered as examples. */
    public Uni<Integer> offer(List<FilteredSample> batch) {
        List<Entry> entries = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (FilteredSample filtered : batch) {
            Optional<Entry> entry = entry(filtered, now);
            metrics.counter("vlit.generation.example_pool", "outcome", entry.isPresent() ? "added" : "ignored")
                    .increment();
            entry.ifPresent(entries::add);
        }
        return repository.add(entries).replaceWith(entries.size());
    }

    static Optional<Entry> entry(FilteredSample filtered, OffsetDateTime now) {
        Sample s = filtered.sample();
        if (filtered.outcome() != Verdict.Outcome.ACCEPTED || s == null || s.lineage() == null
                || s.lineage().strategy() != Strategy.SI || !TASKS.contains(s.task()) || s.lineage().recipe() == null
                || InContextRecipe.ID.equals(s.lineage().recipe().id())) {
            return Optional.empty();
        }
        return InContextRecipe.reply(s.task(), s.conversations()).map(reply -> new Entry(s.id(), s.imageId(), s.task(),
                s.lineage().recipe().id(), InContextRecipe.rankKey(s.id()),
                InContextRecipe.contextFromGroundTruth(s.groundTruth()), reply, now));
    }
}
