package io.vlitforge.filtering.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.filtering.filters.ContentFingerprint;
import io.vlitforge.filtering.filters.FormatFilter;
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
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Decides every generated sample: format checks, then exact-duplicate removal. The verdict is stored
 * before the sample is sent on to {@code samples.accepted} or {@code samples.rejected}, and the record is
 * acknowledged only after the broker has it.
 */
@ApplicationScoped
public class SampleGeneratedConsumer {

    private static final Logger LOG = Logger.getLogger(SampleGeneratedConsumer.class);

    private final FormatFilter format = new FormatFilter();
    private final VerdictRepository repository;
    private final MutinyEmitter<String> accepted;
    private final MutinyEmitter<String> rejected;
    private final MeterRegistry metrics;

    public SampleGeneratedConsumer(VerdictRepository repository,
            @Channel(Topics.SAMPLES_ACCEPTED) MutinyEmitter<String> accepted,
            @Channel(Topics.SAMPLES_REJECTED) MutinyEmitter<String> rejected, MeterRegistry metrics) {
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
        Verdict formatVerdict = format.check(sample);
        String fingerprint = ContentFingerprint.of(sample);
        return repository.decide(sample, formatVerdict, fingerprint, now).chain(decision -> {
            if (!decision.replayed()) {
                String reason = decision.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                        .map(Verdict::reason).findFirst().orElse("none");
                metrics.counter("vlit.filtering.verdicts", "outcome", decision.outcome().name().toLowerCase(),
                        "reason", reason, "task", sample.task()).increment();
            }
            FilteredSample out = new FilteredSample(FilteredSample.SCHEMA_VERSION,
                    sample.withStep(new LineageStep("filtering", "format+exact_duplicate", FormatFilter.VERSION,
                            now.toString())),
                    decision.outcome(), decision.verdicts());
            MutinyEmitter<String> target = decision.outcome() == Verdict.Outcome.ACCEPTED ? accepted : rejected;
            return target.sendMessage(Message.of(EventJson.write(out))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(sample.id()).build()));
        }).onFailure().invoke(e -> LOG.errorf(e, "sample %s failed and goes to the dead-letter topic", sample.id()));
    }
}
