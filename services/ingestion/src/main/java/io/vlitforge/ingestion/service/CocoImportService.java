package io.vlitforge.ingestion.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.VertxContextSupport;
import io.vlitforge.ingestion.coco.CocoAnnotationReader;
import io.vlitforge.ingestion.coco.CocoDataset;
import io.vlitforge.ingestion.coco.CocoDataset.CocoImage;
import io.vlitforge.ingestion.config.IngestionConfig;
import io.vlitforge.ingestion.entity.BoxEntity;
import io.vlitforge.ingestion.entity.CaptionEntity;
import io.vlitforge.ingestion.entity.ImageEntity;
import io.vlitforge.ingestion.entity.ImageSourceEntity;
import io.vlitforge.ingestion.entity.IngestRejectionEntity;
import io.vlitforge.ingestion.entity.IngestRunEntity;
import io.vlitforge.ingestion.messaging.ImageIngestedPublisher;
import io.vlitforge.ingestion.objectstore.ObjectStore;
import io.vlitforge.ingestion.repository.IngestionRepository;
import io.vlitforge.ingestion.service.ImageInspector.ImageFacts;
import io.vlitforge.ingestion.service.ImageInspector.InvalidImageException;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.objectstore.ObjectKeys;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.repository.IngestionRepository.ImageRecords;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Imports a COCO folder: every listed image is checked (exists, decodes, size matches its annotation),
 * stored once in the object store under its sha256, recorded with its captions, boxes and licence, and
 * announced on {@code images.ingested}. Anything refused becomes a rejection record of the run; the
 * import goes on. An image already imported from the same data set is skipped, so re-importing a
 * folder adds nothing.
 *
 * <p>Files are read, checked and stored by a small pool of threads, in batches; each batch is then
 * announced and recorded together (one wait for the broker, one transaction), so an import runs near the
 * object store's put rate rather than at one round trip per image. The calling thread is a worker (file
 * IO, decoding and the MinIO SDK block); database work is reactive (Hibernate Reactive) and runs on a
 * Vert.x context through {@link VertxContextSupport}.
 */
@ApplicationScoped
public class CocoImportService {

    private static final Logger LOG = Logger.getLogger(CocoImportService.class);
    private static final int REPORTED_REJECTIONS = 200;
    /** No single wait of an import (a batch's sends, a transaction, one file stored) may hang it for good. */
    private static final Duration STEP_LIMIT = Duration.ofMinutes(2);

    private final CocoAnnotationReader reader = new CocoAnnotationReader();
    private final IngestionRepository repository;
    private final ObjectStore objectStore;
    private final ImageIngestedPublisher publisher;
    private final IngestionConfig config;
    private final MeterRegistry metrics;
    private final ExecutorService workers;

    public CocoImportService(IngestionRepository repository, ObjectStore objectStore,
            ImageIngestedPublisher publisher, IngestionConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.objectStore = objectStore;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.ingest().workers(), task -> {
            Thread t = new Thread(task, "ingest-worker-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @PreDestroy
    void stopWorkers() {
        workers.shutdownNow();
    }

    public ImportReport importFolder(Path annotationsDir, Path imagesDir, String dataset) throws IOException {
        if (!Files.isDirectory(imagesDir)) {
            throw new IllegalArgumentException("images folder not found: " + imagesDir);
        }
        List<String> splits = reader.splits(annotationsDir);
        Run run = new Run(dataset, annotationsDir, imagesDir);
        await(() -> repository.saveRun(run.entity));
        try {
            for (String split : splits) {
                importSplit(run, reader.read(annotationsDir, split), imagesDir);
            }
            run.entity.status = "COMPLETED";
        } catch (RuntimeException | IOException e) {
            run.entity.status = "FAILED";
            run.reject("import", "import.failed", String.valueOf(e.getMessage()));
            throw e;
        } finally {
            run.entity.finishedAt = now();
            run.flushRejections();
            await(() -> repository.saveRun(run.entity));
            LOG.infof("import %s of %s: %d seen, %d new, %d already present, %d images and %d annotations refused",
                    run.entity.runId, dataset, run.entity.imagesSeen, run.entity.imagesNew,
                    run.entity.imagesAlreadyPresent, run.entity.imagesRejected, run.entity.annotationsRejected);
        }
        return run.report();
    }

    private void importSplit(Run run, CocoDataset data, Path imagesDir) {
        for (CocoDataset.AnnotationProblem problem : data.problems()) {
            run.entity.annotationsRejected++;
            run.reject(problem.item(), problem.reason(), problem.detail());
        }
        Map<String, String> known = await(() -> repository.knownSources(run.entity.dataset));
        List<CocoImage> todo = new ArrayList<>();
        for (CocoImage image : data.images()) {
            run.entity.imagesSeen++;
            String objectKey = known.get(Long.toString(image.id()));
            if (objectKey == null) {
                todo.add(image);
            } else if (!objectStore.has(objectKey)) {
                // Recorded but gone from the store (a wiped bucket or a new store on an old database):
                // store and announce it again; the records are upserts and stay as they are.
                run.restored++;
                todo.add(image);
            } else {
                run.entity.imagesAlreadyPresent++;
                metrics.counter("vlit.ingest.images", "outcome", "already_present").increment();
            }
        }
        int batchSize = Math.max(1, config.ingest().batchSize());
        // Preparation runs ahead of recording by a few batches, so the workers keep reading and storing
        // files while a batch is announced and recorded; the window bounds what waits in memory.
        int window = batchSize * 4;
        Deque<Future<PreparedImage>> inFlight = new ArrayDeque<>();
        Deque<CocoImage> inFlightImages = new ArrayDeque<>();
        int next = 0;
        while (next < todo.size() || !inFlight.isEmpty()) {
            while (next < todo.size() && inFlight.size() < window) {
                CocoImage image = todo.get(next++);
                inFlight.add(workers.submit(() -> prepare(run, data, image, imagesDir)));
                inFlightImages.add(image);
            }
            List<PreparedImage> ready = new ArrayList<>();
            for (int i = 0; i < batchSize && !inFlight.isEmpty(); i++) {
                CocoImage image = inFlightImages.poll();
                try {
                    ready.add(inFlight.poll().get(STEP_LIMIT.toSeconds(), TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof InvalidImageException invalid) {
                        run.entity.imagesRejected++;
                        run.reject(image.fileName(), invalid.reason(), invalid.getMessage());
                        metrics.counter("vlit.ingest.images", "outcome", "rejected", "reason", invalid.reason())
                                .increment();
                    } else if (e.getCause() instanceof RuntimeException runtime) {
                        inFlight.forEach(f -> f.cancel(true));
                        throw runtime;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                } catch (TimeoutException e) {
                    inFlight.forEach(f -> f.cancel(true));
                    throw new ObjectStore.ObjectStoreException("reading and storing " + image.fileName()
                            + " took more than " + STEP_LIMIT.toSeconds() + "s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("import interrupted", e);
                }
            }
            record(run, ready);
            for (PreparedImage p : ready) {
                boolean restored = known.containsKey(p.records().source().sourceId);
                if (!restored) {
                    run.entity.imagesNew++;
                }
                metrics.counter("vlit.ingest.images", "outcome", restored ? "restored" : "new").increment();
            }
            run.flushRejectionsIfMany();
        }
    }

    /**
     * Announce first, record second: if recording fails, the next import of the folder sees these images
     * as new and announces them again, which consumers absorb (same ids). The other order could record an
     * image that was never announced, and a re-import would then skip it for good.
     */
    private void record(Run run, List<PreparedImage> ready) {
        if (ready.isEmpty()) {
            return;
        }
        List<Uni<Void>> sends = ready.stream().map(p -> publisher.publish(p.event())).toList();
        await(() -> Uni.join().all(sends).andFailFast().replaceWith(true));
        await(() -> repository.saveImages(ready.stream().map(PreparedImage::records).toList()).replaceWith(true));
        for (PreparedImage p : ready) {
            run.captions += p.records().captions().size();
            run.boxes += p.records().boxes().size();
            run.emitted++;
        }
    }

    /** One image read, checked and stored, with everything needed to record and announce it. */
    private record PreparedImage(ImageRecords records, ImageIngested event) {
    }

    /** Runs on an ingest worker: reads, checks and stores the bytes; touches no shared state. */
    private PreparedImage prepare(Run run, CocoDataset data, CocoImage image, Path imagesDir)
            throws InvalidImageException {
        String sourceId = Long.toString(image.id());
        byte[] bytes = readImage(imagesDir, image.fileName());
        ImageFacts facts = ImageInspector.inspect(bytes, config.ingest().fullDecode());
        if (facts.width() != image.width() || facts.height() != image.height()) {
            throw new InvalidImageException("image.size_mismatch", "annotation says " + image.width() + "x"
                    + image.height() + ", the file is " + facts.width() + "x" + facts.height());
        }
        String imageId = Ids.imageId(bytes);
        String key = ObjectKeys.image(imageId, facts.format());
        objectStore.putIfAbsent(key, bytes, facts.contentType());

        ImageEntity entity = new ImageEntity();
        entity.imageId = imageId;
        entity.objectKey = key;
        entity.format = facts.format();
        entity.width = facts.width();
        entity.height = facts.height();
        entity.byteSize = bytes.length;
        entity.licenceName = image.licence() == null ? null : image.licence().name();
        entity.licenceUrl = image.licence() == null ? null : image.licence().url();
        entity.createdAt = now();

        ImageSourceEntity source = new ImageSourceEntity();
        source.dataset = run.entity.dataset;
        source.sourceId = sourceId;
        source.split = data.split();
        source.fileName = image.fileName();
        source.imageId = imageId;
        source.runId = run.entity.runId;

        List<CaptionEntity> captions = new ArrayList<>();
        List<String> captionTexts = new ArrayList<>();
        for (CocoDataset.CocoCaption c : data.captionsOf(image.id())) {
            CaptionEntity caption = new CaptionEntity();
            caption.imageId = imageId;
            caption.dataset = run.entity.dataset;
            caption.sourceAnnotationId = Long.toString(c.annotationId());
            caption.text = c.text();
            captions.add(caption);
            captionTexts.add(c.text());
        }
        List<BoxEntity> boxes = new ArrayList<>();
        List<BoundingBox> boxValues = new ArrayList<>();
        for (CocoDataset.CocoBox b : data.boxesOf(image.id())) {
            BoxEntity box = new BoxEntity();
            box.imageId = imageId;
            box.dataset = run.entity.dataset;
            box.sourceAnnotationId = Long.toString(b.annotationId());
            box.category = b.box().category();
            box.x = b.box().x();
            box.y = b.box().y();
            box.width = b.box().width();
            box.height = b.box().height();
            boxes.add(box);
            boxValues.add(b.box());
        }
        ImageIngested event = new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, key, facts.format(),
                facts.width(), facts.height(), captionTexts, boxValues, image.licence(),
                new SourceRef(run.entity.dataset, data.split(), sourceId, image.fileName()), run.entity.runId);
        return new PreparedImage(new ImageRecords(entity, source, captions, boxes), event);
    }

    private byte[] readImage(Path imagesDir, String fileName) throws InvalidImageException {
        Path file = imagesDir.resolve(fileName).normalize();
        if (!file.startsWith(imagesDir.normalize())) {
            throw new InvalidImageException("image.unsafe_path", fileName + " points outside the images folder");
        }
        try {
            long size = Files.size(file);
            if (size > config.ingest().maxImageBytes()) {
                throw new InvalidImageException("image.too_large",
                        size + " bytes, more than the limit of " + config.ingest().maxImageBytes());
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidImageException("image.missing", "no file " + fileName + " in " + imagesDir);
        } catch (IOException e) {
            throw new InvalidImageException("image.unreadable", "cannot read " + fileName + ": " + e.getMessage());
        }
    }

    private static <T> T await(java.util.function.Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> work.get().ifNoItem().after(STEP_LIMIT)
                    .failWith(() -> new IllegalStateException("no answer from the database or the broker within "
                            + STEP_LIMIT.toSeconds() + "s")));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }

    /** The mutable state of one import while it runs. */
    private final class Run {
        final IngestRunEntity entity = new IngestRunEntity();
        final List<IngestRejectionEntity> pending = new ArrayList<>();
        final List<ImportReport.Rejection> reported = new ArrayList<>();
        int captions;
        int boxes;
        int emitted;
        int restored;

        Run(String dataset, Path annotationsDir, Path imagesDir) {
            entity.runId = UUID.randomUUID().toString();
            entity.dataset = dataset;
            entity.annotationsDir = annotationsDir.toString();
            entity.imagesDir = imagesDir.toString();
            entity.status = "RUNNING";
            entity.startedAt = now();
        }

        void reject(String item, String reason, String detail) {
            IngestRejectionEntity r = new IngestRejectionEntity();
            r.runId = entity.runId;
            r.item = item.length() > 500 ? item.substring(0, 500) : item;
            r.reason = reason;
            r.detail = detail;
            r.createdAt = now();
            pending.add(r);
            if (reported.size() < REPORTED_REJECTIONS) {
                reported.add(new ImportReport.Rejection(item, reason, detail));
            }
            LOG.warnf("import %s refused %s: %s (%s)", entity.runId, item, reason, detail);
        }

        void flushRejectionsIfMany() {
            if (pending.size() >= 100) {
                flushRejections();
            }
        }

        void flushRejections() {
            if (!pending.isEmpty()) {
                List<IngestRejectionEntity> batch = List.copyOf(pending);
                pending.clear();
                await(() -> repository.saveRejections(batch));
            }
        }

        ImportReport report() {
            return new ImportReport(entity.runId, entity.dataset, entity.status, entity.imagesSeen, entity.imagesNew,
                    entity.imagesAlreadyPresent, restored, entity.imagesRejected, entity.annotationsRejected, captions,
                    boxes, emitted, List.copyOf(reported));
        }
    }
}
