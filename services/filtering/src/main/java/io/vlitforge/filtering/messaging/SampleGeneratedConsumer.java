package io.vlitforge.filtering.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.repository.VerdictRepository;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Decides every generated sample by running the whole filter chain (format, length, hygiene, then exact
 * and near duplicates in the database). Every verdict is stored before the sample is sent on to
 * {@code samples.accepted} or {@code samples.rejected}, and the record is acknowledged only after the
 * broker has it.
 */
@ApplicationScoped
public class SampleGeneratedConsumer {

    private static final Logger LOG = Logger.getLogger(SampleGeneratedConsumer.class);

    private final FilterChain chain;
    private final VerdictRepository repository;
    private final MutinyEmitter<String> accepted;
    private final MutinyEmitter<String> rejected;
    private final MeterRegistry metrics;

    public SampleGeneratedConsumer(FilterChain chain, VerdictRepository repository,
            @Channel(Topics.SAMPLES_ACCEPTED) MutinyEmitter<String> accepted,
            @Channel(Topics.SAMPLES_REJECTED) MutinyEmitter<String> rejected, MeterRegistry metrics) {
        this.chain = chain;
        this.repository = repository;
        this.accepted = accepted;
        this.rejected = rejected;
        this.metrics = metrics;
    }

    @Incoming(Topics.SAMPLES_GENERATED)
    public Uni<Void> onSampleGenerated(String record) {
        Sample sample;
        try {
            sample = EventJson.read(record, Sample.class);
        } catch (RuntimeException e) {
            LOG.warnf("unreadable samples.generated record sent to the dead-letter topic: %s", e.getMessage());
            metrics.counter("vlit.filtering.records.dead_lettered", "reason", "unreadable").increment();
            return Uni.createFrom().failure(e);
        }
        if (sample.id() == null || sample.imageId() == null || sample.task() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("sample without id, imageId or task"));
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Verdict> content = chain.check(sample);
        return repository.decide(sample, content, chain, now).chain(decision -> {
            if (!decision.replayed()) {
                count(sample, decision);
            }
            FilteredSample out = new FilteredSample(FilteredSample.SCHEMA_VERSION,
                    sample.withStep(new LineageStep("filtering", chain.stepName(), chain.version(), now.toString())),
                    decision.outcome(), decision.verdicts());
            MutinyEmitter<String> target = decision.outcome() == Verdict.Outcome.ACCEPTED ? accepted : rejected;
            return target.sendMessage(Message.of(EventJson.write(out))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(sample.id()).build()));
        }).onFailure().invoke(e -> LOG.errorf(e, "sample %s failed and goes to the dead-letter topic", sample.id()));
    }

    /** Counted once per decision, never on a replay, so redeliveries do not inflate the numbers. */
    private void count(Sample sample, VerdictRepository.Decision decision) {
        String reason = decision.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                .map(Verdict::reason).findFirst().orElse("none");
        metrics.counter("vlit.filtering.verdicts", "outcome", outcome(decision.outcome()), "reason", reason,
                "task", sample.task()).increment();
        for (Verdict verdict : decision.verdicts()) {
            metrics.counter("vlit.filtering.evaluated", "filter", verdict.filter(), "task", sample.task())
                    .increment();
            metrics.counter("vlit.filtering.filter.verdicts", "filter", verdict.filter(),
                    "outcome", outcome(verdict.outcome()),
                    "reason", verdict.reason() == null ? "none" : verdict.reason(), "task", sample.task())
                    .increment();
        }
    }

    private static String outcome(Verdict.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
