package io.vlitforge.generation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.generation.service.SelfInstructService;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.DescriptionDrafted;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventFormatException;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.messaging.DeadLetters;
import io.vlitforge.shared.messaging.Sends;
import io.vlitforge.shared.messaging.TransientFailures;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * MiniGPT-4 stage 2, second step: the repair step reads the describe step's drafts from
 * {@code descriptions.drafted} in its own consumer group ({@code generation-si-repair}), behind its own
 * switch, so the text model that repairs scales apart from the vision model that describes. A batch is
 * acknowledged when its samples are on {@code samples.generated}; an unreadable draft goes to
 * {@code descriptions.drafted.dlq} by itself.
 */
@ApplicationScoped
public class DescriptionDraftedConsumer {

    public static final String REPAIR = "si-repair";
    /** The channel that writes unreadable drafts to the dead-letter topic. */
    static final String DESCRIPTIONS_DRAFTED_DLQ = "descriptions.drafted.dlq";

    private static final Logger LOG = Logger.getLogger(DescriptionDraftedConsumer.class);

    private final SelfInstructService service;
    private final MutinyEmitter<String> samples;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public DescriptionDraftedConsumer(SelfInstructService service,
            @Channel(Topics.SAMPLES_GENERATED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> samples,
            @Channel(DESCRIPTIONS_DRAFTED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.service = service;
        this.samples = samples;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(REPAIR)
    public Uni<Void> repair(ConsumerRecords<String, String> records) {
        Map<String, DescriptionDrafted> drafts = new LinkedHashMap<>();
        List<Message<String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                DescriptionDrafted draft = EventJson.read(record.value(), DescriptionDrafted.class);
                if (draft.image() == null || draft.image().imageId() == null || draft.draftId() == null
                        || draft.generator() == null) {
                    throw new EventFormatException("a DescriptionDrafted record without its image, draft id or "
                            + "generator");
                }
                drafts.put(draft.draftId(), draft);
            } catch (RuntimeException e) {
                metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
                unreadable.add(DeadLetters.of(record, e));
            }
        }
        // A server outage runs the batch again: ids are deterministic and model replies cached.
        return TransientFailures.retried(() -> service.repair(List.copyOf(drafts.values()))
                .chain(made -> {
                    List<Uni<Void>> sends = new ArrayList<>();
                    for (Sample s : made) {
                        sends.add(samples.sendMessage(Message.of(EventJson.write(s)).addMetadata(
                                        OutgoingKafkaRecordMetadata.<String>builder().withKey(s.id()).build()))
                                .invoke(() -> metrics.counter("vlit.generation.samples", "task", s.task(), "strategy",
                                        "SI").increment()));
                    }
                    return Sends.all(sends);
                }), "a repair batch", LOG)
                .chain(() -> Sends.all(unreadable.stream().map(deadLetters::sendMessage).toList()))
                .onFailure().invoke(e -> LOG.errorf(e, "a repair batch of %d drafts failed", drafts.size()));
    }
}
