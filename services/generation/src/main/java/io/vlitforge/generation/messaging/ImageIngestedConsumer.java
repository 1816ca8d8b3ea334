package io.vlitforge.generation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vlitforge.generation.service.AdaptionService;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.ImageIngested;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The adaption step. It takes the images of one poll as a batch: their samples are generated under every
 * configured recipe ({@link AdaptionService}), the images kept for later regeneration, their lineage
 * recorded, every sample sent, and the batch acknowledged only when the broker has all of them. A crash in between redelivers the batch, which regenerates the same ids and
 * changes nothing. An unreadable record is sent to {@code images.ingested.dlq} by itself, so it never
 * holds back the good records polled with it.
 */
@ApplicationScoped
public class ImageIngestedConsumer {

    private static final Logger LOG = Logger.getLogger(ImageIngestedConsumer.class);

    private final AdaptionService adaption;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;

    public ImageIngestedConsumer(AdaptionService adaption,
            @Channel(IMAGES_INGESTED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.adaption = adaption;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** The channel that writes unreadable inbound records to the dead-letter topic. */
    static final String IMAGES_INGESTED_DLQ = "images.ingested.dlq";
    /** The {@code step} field of this consumer's log lines. */
    static final String STEP = "adaption";

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
                // Records are keyed by image id, so the line names the image even when its value is unreadable.
                try (LogFields ids = LogFields.of(LogFields.IMAGE_ID, record.key(), LogFields.STEP, STEP)) {
                    LOG.warnf("unreadable images.ingested record (partition %d, offset %d) sent to the dead-letter "
                            + "topic: %s", record.partition(), record.offset(), e.getMessage());
                }
                metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
                unreadable.add(DeadLetters.of(record, e));
            }
        }
        // A server outage retries the whole batch: sample ids are deterministic, so nothing is doubled.
        return TransientFailures.retried(() -> adaption.generate(List.copyOf(images.values()),
                        adaption.activeRecipes(), true), "an adaption batch", LOG)
                .chain(() -> deadLetter(unreadable))
                .onFailure().invoke(e -> LogFields.of(LogFields.STEP, STEP)
                        .run(() -> LOG.errorf(e, "a batch of %d images failed", images.size())));
    }

    private Uni<Void> deadLetter(List<Message<String>> unreadable) {
        return Sends.all(unreadable.stream().map(deadLetters::sendMessage).toList());
    }
}
