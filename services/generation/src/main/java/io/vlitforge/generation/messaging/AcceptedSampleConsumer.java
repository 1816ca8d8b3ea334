package io.vlitforge.generation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vlitforge.generation.service.ExamplePoolService;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.json.EventFormatException;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.messaging.DeadLetters;
import io.vlitforge.shared.messaging.Sends;
import io.vlitforge.shared.messaging.TransientFailures;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Feeds the in-context variant's example pool: reads {@code samples.accepted} (filtering's verdicts) in
 * generation's own consumer group ({@code generation-si-example-pool}), switched on with the in-context
 * step, and stores the usable ones in {@code generation.example_pool}. A batch is acknowledged once stored;
 * an unreadable record goes to {@code samples.accepted.dlq} by itself.
 */
@ApplicationScoped
public class AcceptedSampleConsumer {

    public static final String EXAMPLE_POOL = "si-example-pool";
    /** The channel that writes unreadable accepted-sample records to the dead-letter topic. */
    static final String SAMPLES_ACCEPTED_DLQ = "samples.accepted.dlq";

    private static final Logger LOG = Logger.getLogger(AcceptedSampleConsumer.class);

    private final ExamplePoolService pool;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public AcceptedSampleConsumer(ExamplePoolService pool,
            @Channel(SAMPLES_ACCEPTED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.pool = pool;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(EXAMPLE_POOL)
    public Uni<Void> accepted(ConsumerRecords<String, String> records) {
        List<FilteredSample> batch = new ArrayList<>();
        List<Message<String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                FilteredSample filtered = EventJson.read(record.value(), FilteredSample.class);
                if (filtered.sample() == null || filtered.sample().id() == null) {
                    throw new EventFormatException("a FilteredSample record without its sample");
                }
                batch.add(filtered);
            } catch (RuntimeException e) {
                metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
                unreadable.add(DeadLetters.of(record, e));
            }
        }
        return TransientFailures.retried(() -> pool.offer(batch), "an example-pool batch", LOG)
                .chain(() -> {
                    List<Uni<Void>> sends = new ArrayList<>();
                    unreadable.forEach(m -> sends.add(deadLetters.sendMessage(m)));
                    return Sends.all(sends);
                })
                .onFailure().invoke(e -> LOG.errorf(e, "an example-pool batch of %d records failed", batch.size()));
    }
}
