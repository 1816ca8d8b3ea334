package io.vlitforge.generation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.generation.repository.GenerationRepository;
import io.vlitforge.generation.tasks.AdaptionRecipe;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.messaging.DeadLetters;
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
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * The adaption step. It takes the images of one poll as a batch: their samples are generated, their
 * lineage recorded in one transaction, every sample sent, and the batch acknowledged only when the
 * broker has all of them. A crash in between redelivers the batch, which regenerates the same ids and
 * changes nothing. An unreadable record is sent to {@code images.ingested.dlq} by itself, so it never
 * holds back the good records polled with it.
 */
@ApplicationScoped
public class ImageIngestedConsumer {

    private static final Logger LOG = Logger.getLogger(ImageIngestedConsumer.class);

    private final AdaptionRecipe recipe = AdaptionRecipe.cocoBasic();
    private final GenerationRepository repository;
    private final MutinyEmitter<String> samples;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public ImageIngestedConsumer(GenerationRepository repository,
            @Channel(Topics.SAMPLES_GENERATED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> samples,
            @Channel(IMAGES_INGESTED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.repository = repository;
        this.samples = samples;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** The channel that writes unreadable inbound records to the dead-letter topic. */
    static final String IMAGES_INGESTED_DLQ = "images.ingested.dlq";

    @Incoming(Topics.IMAGES_INGESTED)
    public Uni<Void> onImagesIngested(ConsumerRecords<String, String> records) {
        // One image delivered twice in a poll is generated once: the later record wins.
        Map<String, ImageIngested> images = new LinkedHashMap<>();
        List<Message<String>> unreadable = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                ImageIngested image = EventJson.read(record.value(), ImageIngested.class);
                images.put(image.imageId(), image);
            } catch (RuntimeException e) {
                LOG.warnf("unreadable images.ingested record (partition %d, offset %d) sent to the dead-letter topic: %s",
                        record.partition(), record.offset(), e.getMessage());
                metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
                unreadable.add(DeadLetters.of(record, e));
            }
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Sample> generated = new ArrayList<>();
        images.values().forEach(image -> generated.addAll(recipe.generate(image, now.toString())));
        return repository.recordGenerated(List.copyOf(images.values()), recipe.recipe(), generated, now)
                .chain(() -> sendAll(generated, unreadable))
                .invoke(() -> generated.forEach(s -> metrics.counter("vlit.generation.samples", "task", s.task(),
                        "strategy", "AA").increment()))
                .onFailure().invoke(e -> LOG.errorf(e, "a batch of %d images failed", images.size()));
    }

    private Uni<Void> sendAll(List<Sample> generated, List<Message<String>> unreadable) {
        List<Uni<Void>> sends = new ArrayList<>(generated.size() + unreadable.size());
        for (Sample s : generated) {
            sends.add(samples.sendMessage(Message.of(EventJson.write(s))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(s.id()).build())));
        }
        unreadable.forEach(m -> sends.add(deadLetters.sendMessage(m)));
        return sends.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(sends).andFailFast().replaceWithVoid();
    }
}
