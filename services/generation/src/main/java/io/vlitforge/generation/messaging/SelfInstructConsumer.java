package io.vlitforge.generation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.generation.selfinstruct.ResponseType;
import io.vlitforge.generation.service.SelfInstructService;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.messaging.DeadLetters;
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
 * The self-instruct steps, one channel each on {@code images.ingested} with its own consumer group
 * ({@code generation-si-conversation}, {@code -detail}, {@code -reasoning}, {@code -describe-repair}) and
 * its own {@code enabled} switch, so each step is deployed and scaled on its own. A batch is acknowledged
 * only when its samples are on the broker; the next batch is polled only then, so a slow endpoint pauses
 * consumption (the connector pauses the partitions) instead of filling memory.
 */
@ApplicationScoped
public class SelfInstructConsumer {

    public static final String CONVERSATION = "si-conversation";
    public static final String DETAIL = "si-detail";
    public static final String REASONING = "si-reasoning";
    public static final String DESCRIBE_REPAIR = "si-describe-repair";

    private static final Logger LOG = Logger.getLogger(SelfInstructConsumer.class);

    private final SelfInstructService service;
    private final MutinyEmitter<String> samples;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public SelfInstructConsumer(SelfInstructService service,
            @Channel(Topics.SAMPLES_GENERATED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> samples,
            @Channel(ImageIngestedConsumer.IMAGES_INGESTED_DLQ) MutinyEmitter<String> deadLetters,
            MeterRegistry metrics) {
        this.service = service;
        this.samples = samples;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(CONVERSATION)
    public Uni<Void> conversation(ConsumerRecords<String, String> records) {
        return handle(records, images -> service.llavaInstruct(ResponseType.CONVERSATION, images));
    }

    @Incoming(DETAIL)
    public Uni<Void> detail(ConsumerRecords<String, String> records) {
        return handle(records, images -> service.llavaInstruct(ResponseType.DETAIL, images));
    }

    @Incoming(REASONING)
    public Uni<Void> reasoning(ConsumerRecords<String, String> records) {
        return handle(records, images -> service.llavaInstruct(ResponseType.REASONING, images));
    }

    @Incoming(DESCRIBE_REPAIR)
    public Uni<Void> describeRepair(ConsumerRecords<String, String> records) {
        return handle(records, service::describeAndRepair);
    }

    private Uni<Void> handle(ConsumerRecords<String, String> records,
            Function<List<ImageIngested>, Uni<List<Sample>>> step) {
        Map<String, ImageIngested> images = new LinkedHashMap<>();
        List<Message<String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                ImageIngested image = EventJson.read(record.value(), ImageIngested.class);
                images.put(image.imageId(), image);
            } catch (RuntimeException e) {
                metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
                unreadable.add(DeadLetters.of(record, e));
            }
        }
        return step.apply(List.copyOf(images.values()))
                .chain(generated -> {
                    List<Uni<Void>> sends = new ArrayList<>();
                    for (Sample s : generated) {
                        sends.add(samples.sendMessage(Message.of(EventJson.write(s)).addMetadata(
                                OutgoingKafkaRecordMetadata.<String>builder().withKey(s.id()).build())));
                    }
                    unreadable.forEach(m -> sends.add(deadLetters.sendMessage(m)));
                    return (sends.isEmpty() ? Uni.createFrom().voidItem()
                            : Uni.join().all(sends).andFailFast().replaceWithVoid())
                            .invoke(() -> generated.forEach(s -> metrics.counter("vlit.generation.samples", "task",
                                    s.task(), "strategy", "SI").increment()));
                })
                .onFailure().invoke(e -> LOG.errorf(e, "a self-instruct batch of %d images failed", images.size()));
    }
}
