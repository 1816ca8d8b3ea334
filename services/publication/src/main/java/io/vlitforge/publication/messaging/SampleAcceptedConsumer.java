package io.vlitforge.publication.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vlitforge.publication.repository.PublicationRepository;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Materialises {@code samples.accepted} into the accepted-sample store. The upsert is keyed by sample id,
 * so each sample is stored once however often it is delivered.
 */
@ApplicationScoped
public class SampleAcceptedConsumer {

    private static final Logger LOG = Logger.getLogger(SampleAcceptedConsumer.class);

    private final PublicationRepository repository;
    private final MeterRegistry metrics;

    public SampleAcceptedConsumer(PublicationRepository repository, MeterRegistry metrics) {
        this.repository = repository;
        this.metrics = metrics;
    }

    @Incoming(Topics.SAMPLES_ACCEPTED)
    public Uni<Void> onSampleAccepted(String record) {
        FilteredSample filtered;
        try {
            filtered = EventJson.read(record, FilteredSample.class);
            if (filtered.outcome() != Verdict.Outcome.ACCEPTED || filtered.sample() == null
                    || filtered.sample().id() == null || filtered.sample().imageKey() == null) {
                throw new IllegalArgumentException("not an accepted sample with an id and an image");
            }
        } catch (RuntimeException e) {
            LOG.warnf("unusable samples.accepted record sent to the dead-letter topic: %s", e.getMessage());
            metrics.counter("vlit.publication.records.dead_lettered", "reason", "unreadable").increment();
            return Uni.createFrom().failure(e);
        }
        Sample sample = filtered.sample();
        return repository.storeAccepted(sample.id(), sample.imageId(), sample.imageKey(), sample.task(),
                        EventJson.write(sample), OffsetDateTime.now(ZoneOffset.UTC))
                .invoke(inserted -> metrics.counter("vlit.publication.samples.stored",
                        "outcome", inserted > 0 ? "new" : "redelivered").increment())
                .onFailure().invoke(e -> LOG.errorf(e, "accepted sample %s failed and goes to the dead-letter topic",
                        sample.id()))
                .replaceWithVoid();
    }
}
