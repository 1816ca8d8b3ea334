package io.vlitforge.publication.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vlitforge.publication.repository.PublicationRepository;
import io.vlitforge.publication.repository.PublicationRepository.RejectedRow;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.logging.LogFields;
import io.vlitforge.shared.messaging.DeadLetters;
import io.vlitforge.shared.messaging.TransientFailures;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps one row per rejected sample from {@code samples.rejected} (the first filter that rejected it and
 * the reason), so that each release's dataset card can show the rejection funnel of the data it was chosen
 * from. The rejected samples themselves stay with the filtering service; only the counts matter here.
 */
@ApplicationScoped
public class SampleRejectedConsumer {

    private static final Logger LOG = Logger.getLogger(SampleRejectedConsumer.class);
    static final String SAMPLES_REJECTED_DLQ = "samples.rejected.dlq";

    private final PublicationRepository repository;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public SampleRejectedConsumer(PublicationRepository repository,
            @Channel(SAMPLES_REJECTED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.repository = repository;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(Topics.SAMPLES_REJECTED)
    public Uni<Void> onSamplesRejected(ConsumerRecords<String, String> records) {
        Map<String, RejectedRow> rows = new LinkedHashMap<>();
        List<Uni<Void>> deadLettered = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (ConsumerRecord<String, String> record : records) {
            try {
                FilteredSample filtered = EventJson.read(record.value(), FilteredSample.class);
                Sample sample = filtered.sample();
                if (filtered.outcome() != Verdict.Outcome.REJECTED || sample == null || sample.id() == null) {
                    throw new IllegalArgumentException("not a rejected sample with an id");
                }
                Verdict first = filtered.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                        .findFirst().orElse(null);
                String source = sample.lineage() == null || sample.lineage().source() == null ? null
                        : sample.lineage().source().dataset();
                rows.put(sample.id(), new RejectedRow(sample.id(), sample.task(), source,
                        first == null ? "unknown" : first.filter(), first == null ? null : first.reason(), now));
            } catch (RuntimeException e) {
                // Records are keyed by sample id, so the line names the sample even when the value is unusable.
                try (LogFields ids = LogFields.of(LogFields.SAMPLE_ID, record.key())) {
                    LOG.warnf("unusable samples.rejected record (partition %d, offset %d) sent to the dead-letter "
                            + "topic: %s", record.partition(), record.offset(), e.getMessage());
                }
                metrics.counter("vlit.publication.records.dead_lettered", "reason", "unreadable").increment();
                deadLettered.add(deadLetters.sendMessage(DeadLetters.of(record, e)));
            }
        }
        // A server outage stores the batch again (keyed by sample id: nothing is doubled).
        Uni<Void> stored = TransientFailures.retried(() -> repository.storeRejected(List.copyOf(rows.values())),
                        "a batch of rejected samples", LOG)
                .invoke(inserted -> metrics.counter("vlit.publication.rejections.stored").increment(inserted))
                .replaceWithVoid();
        if (!deadLettered.isEmpty()) {
            stored = stored.chain(() -> Uni.join().all(deadLettered).andFailFast().replaceWithVoid());
        }
        return stored.onFailure().invoke(e -> LOG.errorf(e, "a batch of %d rejected samples failed", rows.size()));
    }
}
