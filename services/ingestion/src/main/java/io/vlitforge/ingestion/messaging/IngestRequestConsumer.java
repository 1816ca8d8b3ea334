package io.vlitforge.ingestion.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vlitforge.ingestion.entity.IngestRunEntity;
import io.vlitforge.ingestion.formats.Json;
import io.vlitforge.ingestion.formats.SourceItem;
import io.vlitforge.ingestion.repository.IngestionRepository;
import io.vlitforge.ingestion.objectstore.S3Sources;
import io.vlitforge.ingestion.service.IngestService;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.messaging.DeadLetters;
import io.vlitforge.shared.messaging.TransientFailures;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Topic-driven ingestion: other systems put ingest requests on {@code ingest.requests}, each naming a
 * whole source ({@code {"format", "paths", "imagesDir", "dataset"}}) or a single item
 * ({@code {"item": {"image", "captions"}, "imagesDir", "dataset"}}), optionally with a {@code requestId}.
 * Each request runs through the same ingest path as REST and the CLI, as an ingest run whose id is
 * derived from the request ({@code requestId}, else topic, partition and offset), so a redelivered
 * request whose run completed is skipped and one that did not finish runs again (its images are
 * content-addressed and its source ids already known, so nothing is doubled). A request that cannot be
 * read or names an unusable source goes to {@code ingest.requests.dlq} with the reason, by itself.
 */
@ApplicationScoped
public class IngestRequestConsumer {

    /** The inbound topic (the shared constant, here for the channel annotation and the tests). */
    public static final String INGEST_REQUESTS = Topics.INGEST_REQUESTS;
    /** The channel that writes unusable requests to the dead-letter topic. */
    public static final String INGEST_REQUESTS_DLQ = "ingest.requests.dlq";

    private static final Logger LOG = Logger.getLogger(IngestRequestConsumer.class);

    private final IngestService ingestService;
    private final IngestionRepository repository;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;
    private final S3Sources s3Sources;

    public IngestRequestConsumer(IngestService ingestService, IngestionRepository repository,
            @Channel(INGEST_REQUESTS_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics,
            S3Sources s3Sources) {
        this.ingestService = ingestService;
        this.repository = repository;
        this.s3Sources = s3Sources;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** The run id of a request: stable across redeliveries. */
    public static String runIdOf(String requestId) {
        return UUID.nameUUIDFromBytes(("ingest-request:" + requestId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Runs each request of the poll in order (an ingest run is its own set of transactions, one per batch
     * of images); the poll is acknowledged when all have run or been dead-lettered.
     */
    @Incoming(INGEST_REQUESTS)
    @Blocking(ordered = true)
    public void onRequests(ConsumerRecords<String, String> records) {
        List<Message<String>> dead = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                // A server outage (database, object store, broker) runs the request again: its run resumes,
                // and images are content-addressed, so nothing is doubled.
                TransientFailures.retriedBlocking(() -> {
                    handle(record);
                    return null;
                }, "ingest request (partition " + record.partition() + ", offset " + record.offset() + ")", LOG);
                metrics.counter("vlit.ingest.requests", "outcome", "done").increment();
            } catch (IllegalArgumentException | io.vlitforge.ingestion.formats.SourceFormatException
                    | io.vlitforge.ingestion.coco.CocoFormatException | java.io.IOException e) {
                LOG.warnf("ingest request (partition %d, offset %d) sent to the dead-letter topic: %s",
                        record.partition(), record.offset(), e.getMessage());
                metrics.counter("vlit.ingest.requests", "outcome", "dead_lettered").increment();
                dead.add(DeadLetters.of(record, e));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        if (!dead.isEmpty()) {
            await(() -> Uni.join().all(dead.stream().map(deadLetters::sendMessage).toList()).andFailFast()
                    .replaceWith(true));
        }
    }

    private void handle(ConsumerRecord<String, String> record) throws java.io.IOException {
        io.vlitforge.ingestion.formats.ReadResult problems = new io.vlitforge.ingestion.formats.ReadResult();
        JsonNode request = record.value() == null ? null
                : Json.parse(record.value().getBytes(StandardCharsets.UTF_8), "request", problems);
        if (request == null || !request.isObject()) {
            throw new IllegalArgumentException(problems.problems.isEmpty() ? "request.not_an_object"
                    : problems.problems.get(0).reason() + ": " + problems.problems.get(0).detail());
        }
        String requestId = Json.text(request, "requestId");
        String runId = runIdOf(requestId != null ? requestId
                : record.topic() + "/" + record.partition() + "/" + record.offset());
        IngestRunEntity previous = await(() -> repository.findRun(runId));
        if (previous != null && "COMPLETED".equals(previous.status)) {
            LOG.debugf("ingest request %s already ran as %s", requestId, runId);
            return;
        }
        String dataset = Json.text(request, "dataset");
        if (dataset == null || !dataset.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("request.bad_dataset: dataset must be 1-100 letters, digits, '.', '_' or '-'");
        }
        String imagesDir = Json.text(request, "imagesDir");
        Path images = imagesDir == null ? null : Paths.get(imagesDir);
        JsonNode item = request.get("item");
        if (item != null && item.isObject()) {
            String image = Json.text(item, "image");
            if (image == null || image.isBlank()) {
                throw new IllegalArgumentException("request.missing_image: an item needs an image path");
            }
            Path imagePath = Paths.get(image);
            SourceItem source = new SourceItem(Json.text(request, "format") == null ? "item" : Json.text(request,
                    "format"), "request", image.length() <= 100 ? image : runId, images == null
                    ? imagePath.getFileName().toString() : image);
            source.baseDir = images == null ? imagePath.toAbsolutePath().getParent() : images;
            int n = 0;
            for (String caption : Json.strings(item, "captions")) {
                source.captions.add(new SourceItem.Caption(source.sourceId + "#" + n++, caption));
            }
            if (Json.text(item, "caption") != null) {
                source.captions.add(new SourceItem.Caption(source.sourceId + "#" + n, Json.text(item, "caption")));
            }
            ingestService.ingestItems(source.format, List.of(source), images, dataset, runId);
            return;
        }
        String format = Json.text(request, "format");
        List<String> paths = Json.strings(request, "paths");
        if (format == null || paths.isEmpty()) {
            throw new IllegalArgumentException("request.missing_source: a request needs format and paths, or an item");
        }
        try (S3Sources.Local local = s3Sources.resolve(paths, imagesDir)) {
            ingestService.ingest(format, local.paths(), local.imagesDir(), dataset, runId);
        }
    }

    private static <T> T await(java.util.function.Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
