package io.vlitforge.publication.messaging;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.DatasetPublished;
import io.vlitforge.shared.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Sends {@code datasets.published}, keyed by release name; completes when the broker has it. */
@ApplicationScoped
public class DatasetPublishedPublisher {

    private final MutinyEmitter<String> emitter;

    public DatasetPublishedPublisher(@Channel(Topics.DATASETS_PUBLISHED) MutinyEmitter<String> emitter) {
        this.emitter = emitter;
    }

    public Uni<Void> publish(DatasetPublished event) {
        return emitter.sendMessage(Message.of(EventJson.write(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.name()).build()));
    }
}
