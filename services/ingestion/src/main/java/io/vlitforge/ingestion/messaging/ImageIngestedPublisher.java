package io.vlitforge.ingestion.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Sends {@code images.ingested}, keyed by image id so that every event about one image stays in order
 * on one partition. The returned Uni completes when the broker has acknowledged the record.
 */
@ApplicationScoped
public class ImageIngestedPublisher {

    private final MutinyEmitter<String> emitter;

    public ImageIngestedPublisher(@Channel(Topics.IMAGES_INGESTED) MutinyEmitter<String> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(ImageIngested event) {
        Message<String> message = Message.of(EventJson.write(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.imageId()).build());
        return emitter.sendMessage(message);
    }
}
