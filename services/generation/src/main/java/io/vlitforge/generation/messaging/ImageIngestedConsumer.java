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
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The adaption step: each ingested image becomes one sample per applicable task. The lineage is
 * recorded first, then every sample is sent; the record is acknowledged only when the broker has all of
 * them, so a crash in between redelivers the image, which regenerates the same ids and changes nothing.
 * A record that cannot be read fails here and goes to {@code images.ingested.dlq}.
 */
@ApplicationScoped
public class ImageIngestedConsumer {

    private static final Logger LOG = Logger.getLogger(ImageIngestedConsumer.class);

    private final AdaptionRecipe recipe = AdaptionRecipe.cocoBasic();
    private final GenerationRepository repository;
    private final MutinyEmitter<String> samples;
    private final MeterRegistry metrics;

    public ImageIngestedConsumer(GenerationRepository repository,
            @Channel(Topics.SAMPLES_GENERATED) MutinyEmitter<String> samples, MeterRegistry metrics) {
        this.repository = repository;
        this.samples = samples;
        this.metrics = metrics;
    }

    @Incoming(Topics.IMAGES_INGESTED)
    public Uni<Void> onImageIngested(String record) {
        ImageIngested image;
        try {
            image = EventJson.read(record, ImageIngested.class);
        } catch (RuntimeException e) {
            LOG.warnf("unreadable images.ingested record sent to the dead-letter topic: %s", e.getMessage());
            metrics.counter("vlit.generation.records.dead_lettered", "reason", "unreadable").increment();
            return Uni.createFrom().failure(e);
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Sample> generated = recipe.generate(image, now.toString());
        return repository.recordGenerated(image.imageId(), recipe.recipe().id(), recipe.recipe().version(),
                        image.ingestRunId(), generated, now)
                .chain(() -> sendAll(generated))
                .invoke(() -> generated.forEach(s -> metrics.counter("vlit.generation.samples", "task", s.task(),
                        "strategy", "AA").increment()))
                .onFailure().invoke(e -> LOG.errorf(e, "image %s failed and goes to the dead-letter topic",
                        image.imageId()));
    }

    private Uni<Void> sendAll(List<Sample> generated) {
        if (generated.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = generated.stream()
                .map(s -> samples.sendMessage(Message.of(EventJson.write(s))
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(s.id()).build())))
                .toList();
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }
}
