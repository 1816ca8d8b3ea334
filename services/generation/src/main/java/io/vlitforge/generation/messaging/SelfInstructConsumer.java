package io.vlitforge.generation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.generation.selfinstruct.ResponseType;
import io.vlitforge.generation.service.SelfInstructService;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.DescriptionDrafted;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.logging.LogFields;
import io.vlitforge.shared.messaging.DeadLetters;
import io.vlitforge.shared.messaging.Sends;
import io.vlitforge.shared.messaging.TransientFailures;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * The self-instruct steps that read {@code images.ingested}, one channel each with its own consumer group
 * ({@code generation-si-conversation}, {@code -detail}, {@code -reasoning}, {@code -in-context},
 * {@code -describe}) and its own {@code enabled} switch, so each step is deployed and scaled on its own.
 * The describe step's drafts go to {@code descriptions.drafted} (keyed by image id), where the repair step
 * ({@link DescriptionDraftedConsumer}) takes them up; the other steps send samples. A batch is acknowledged
 * only when what it made is on the broker; the next batch is polled only then, so a slow endpoint pauses
 * consumption (the connector pauses the partitions) instead of filling memory.
 */
@ApplicationScoped
public class SelfInstructConsumer {

    public static final String CONVERSATION = "si-conversation";
    public static final String DETAIL = "si-detail";
    public static final String REASONING = "si-reasoning";
    public static final String IN_CONTEXT = "si-in-context";
    public static final String DESCRIBE = "si-describe";

    private static final Logger LOG = Logger.getLogger(SelfInstructConsumer.class);

    private final SelfInstructService service;
    private final MutinyEmitter<String> samples;
    private final MutinyEmitter<String> drafts;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public SelfInstructConsumer(SelfInstructService service,
            @Channel(Topics.SAMPLES_GENERATED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> samples,
            @Channel(Topics.DESCRIPTIONS_DRAFTED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> drafts,
            @Channel(ImageIngestedConsumer.IMAGES_INGESTED_DLQ) MutinyEmitter<String> deadLetters,
            MeterRegistry metrics) {
        this.service = service;
        this.samples = samples;
        this.drafts = drafts;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(CONVERSATION)
    public Uni<Void> conversation(ConsumerRecords<String, String> records) {
        return samples(records, images -> service.llavaInstruct(ResponseType.CONVERSATION, images));
    }

    @Incoming(DETAIL)
    public Uni<Void> detail(ConsumerRecords<String, String> records) {
        return samples(records, images -> service.llavaInstruct(ResponseType.DETAIL, images));
    }

    @Incoming(REASONING)
    public Uni<Void> reasoning(ConsumerRecords<String, String> records) {
        return samples(records, images -> service.llavaInstruct(ResponseType.REASONING, images));
    }

    @Incoming(IN_CONTEXT)
    public Uni<Void> inContext(ConsumerRecords<String, String> records) {
        return samples(records, service::inContext);
    }

    /** MiniGPT-4 stage 2, first step: drafts on {@code descriptions.drafted}, keyed by image id. */
    @Incoming(DESCRIBE)
    public Uni<Void> describe(ConsumerRecords<String, String> records) {
        return handle(records, service::describe, draft -> drafts.sendMessage(Message.of(EventJson.write(draft))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(draft.image().imageId()).build()))
                .invoke(() -> metrics.counter("vlit.generation.drafts", "step", SelfInstructService.DESCRIBE)
                        .increment()));
    }

    private Uni<Void> samples(ConsumerRecords<String, String> records,
            Function<List<ImageIngested>, Uni<List<Sample>>> step) {
        return handle(records, step, this::send);
    }

    private Uni<Void> send(Sample s) {
        return samples.sendMessage(Message.of(EventJson.write(s)).addMetadata(
                        OutgoingKafkaRecordMetadata.<String>builder().withKey(s.id()).build()))
                .invoke(() -> metrics.counter("vlit.generation.samples", "task", s.task(), "strategy", "SI").increment());
    }

    private <T> Uni<Void> handle(ConsumerRecords<String, String> records,
            Function<List<ImageIngested>, Uni<List<T>>> step, Function<T, Uni<Void>> sender) {
        Map<String, ImageIngested> images = new LinkedHashMap<>();
        List<Message<String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                ImageIngested image = EventJson.read(record.value(), ImageIngested.class);
                images.put(image.imageId(), image);
            } catch (RuntimeException e) {
                try (LogFields ids = LogFields.of(LogFields.IMAGE_ID, record.key())) {
                    LOG.warnf("unreadable %s record (partition %d, offset %d) sent to the dead-letter topic: %s",
                            record.topic(), record.partition(), record.offset(), e.getMessage());
                }
                metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
                unreadable.add(DeadLetters.of(record, e));
            }
        }
        // A server outage (database, broker) runs the batch again: ids are deterministic and model replies
        // are cached, so nothing is doubled or paid twice.
        return TransientFailures.retried(() -> step.apply(List.copyOf(images.values()))
                        .chain(made -> Sends.all(made.stream().map(sender).toList())), "a self-instruct batch", LOG)
                .chain(() -> Sends.all(unreadable.stream().map(deadLetters::sendMessage).toList()))
                .onFailure().invoke(e -> LOG.errorf(e, "a self-instruct batch of %d images failed", images.size()));
    }
}
