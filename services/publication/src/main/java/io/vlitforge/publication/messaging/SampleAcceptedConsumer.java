package io.vlitforge.publication.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vlitforge.publication.repository.PublicationRepository;
import io.vlitforge.publication.repository.PublicationRepository.AcceptedRow;
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
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Materialises {@code samples.accepted} into the accepted-sample store, one poll per transaction. The
 * upsert is keyed by sample id, so each sample is stored once however often it is delivered; a record
 * that is not an accepted sample goes to {@code samples.accepted.dlq} without holding back its batch.
 */
@ApplicationScoped
public class SampleAcceptedConsumer {

    private static final Logger LOG = Logger.getLogger(SampleAcceptedConsumer.class);
    /** The channel that writes unusable inbound records to the dead-letter topic. */
    static final String SAMPLES_ACCEPTED_DLQ = "samples.accepted.dlq";

    private final PublicationRepository repository;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public SampleAcceptedConsumer(PublicationRepository repository,
            @Channel(SAMPLES_ACCEPTED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.repository = repository;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(Topics.SAMPLES_ACCEPTED)
    public Uni<Void> onSamplesAccepted(ConsumerRecords<String, String> records) {
        Map<String, AcceptedRow> rows = new LinkedHashMap<>();
        List<Uni<Void>> deadLettered = new ArrayList<>();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        for (ConsumerRecord<String, String> record : records) {
            try {
                FilteredSample filtered = EventJson.read(record.value(), FilteredSample.class);
                Sample sample = filtered.sample();
                if (filtered.outcome() != Verdict.Outcome.ACCEPTED || sample == null || sample.id() == null
                        || sample.imageKey() == null) {
                    throw new IllegalArgumentException("not an accepted sample with an id and an image");
                }
                rows.put(sample.id(), new AcceptedRow(sample.id(), sample.imageId(), sample.imageKey(), sample.task(),
                        EventJson.write(sample), now, EventJson.write(filtered.verdicts())));
            } catch (RuntimeException e) {
                // Records are keyed by sample id, so the line names the sample even when the value is unusable.
                try (LogFields ids = LogFields.of(LogFields.SAMPLE_ID, record.key())) {
                    LOG.warnf("unusable samples.accepted record (partition %d, offset %d) sent to the dead-letter "
                            + "topic: %s", record.partition(), record.offset(), e.getMessage());
                }
                metrics.counter("vlit.publication.records.dead_lettered", "reason", "unreadable").increment();
                deadLettered.add(deadLetters.sendMessage(DeadLetters.of(record, e)));
            }
        }
        // A server outage stores the batch again (an upsert by sample id: nothing is doubled).
        Uni<Void> stored = TransientFailures.retried(() -> repository.storeAccepted(List.copyOf(rows.values())),
                        "a batch of accepted samples", LOG)
                .invoke(inserted -> {
                    metrics.counter("vlit.publication.samples.stored", "outcome", "new").increment(inserted);
                    metrics.counter("vlit.publication.samples.stored", "outcome", "redelivered")
                            .increment(rows.size() - inserted);
                })
                .replaceWithVoid();
        if (!deadLettered.isEmpty()) {
            stored = stored.chain(() -> Uni.join().all(deadLettered).andFailFast().replaceWithVoid());
        }
        return stored.onFailure().invoke(e -> LOG.errorf(e, "a batch of %d accepted samples failed", rows.size()));
    }
}
