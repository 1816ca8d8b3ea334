package io.vlitforge.ingestion.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.config.IngestionConfig;
import io.vlitforge.ingestion.entity.IngestRejectionEntity;
import io.vlitforge.ingestion.entity.IngestRunEntity;
import io.vlitforge.ingestion.formats.AnnotationFormat;
import io.vlitforge.ingestion.formats.Formats;
import io.vlitforge.ingestion.formats.ItemSink;
import io.vlitforge.ingestion.formats.SourceFormatException;
import io.vlitforge.ingestion.formats.SourceItem;
import io.vlitforge.ingestion.messaging.ImageIngestedPublisher;
import io.vlitforge.ingestion.model.RecordMerge;
import io.vlitforge.ingestion.objectstore.ObjectStore;
import io.vlitforge.ingestion.repository.ImageRecordRepository.AnnotationRow;
import io.vlitforge.ingestion.repository.ImageRecordRepository.BoxRow;
import io.vlitforge.ingestion.repository.ImageRecordRepository.CaptionRow;
import io.vlitforge.ingestion.repository.ImageRecordRepository.CocoImage;
import io.vlitforge.ingestion.repository.ImageRecordRepository.ImageRow;
import io.vlitforge.ingestion.repository.ImageRecordRepository.ItemRecords;
import io.vlitforge.ingestion.repository.ImageRecordRepository.SourceRow;
import io.vlitforge.ingestion.repository.ImageRecordRepository;
import io.vlitforge.ingestion.repository.IngestionRepository;
import io.vlitforge.ingestion.service.ImageInspector.ImageFacts;
import io.vlitforge.ingestion.service.ImageInspector.InvalidImageException;
import io.vlitforge.shared.boxes.BoxConventions.PixelBox;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.ImportedConversation;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.ReferringExpression;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.images.PerceptualHash;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.logging.LogFields;
import io.vlitforge.shared.objectstore.ObjectKeys;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The one ingest path of every format. A reader ({@link Formats}) turns a source into
 * {@link SourceItem}s; each item's image is read, checked (decodes, size agrees, not a pixel bomb),
 * stored once in the object store under its sha256, its boxes converted to pixels and fitted to the
 * image, and its annotations recorded; the image's whole merged record is announced on
 * {@code images.ingested}. Records of the same picture merge: the same bytes are the same image id
 * whatever the source; and a Visual Genome image and the COCO image it names ({@code coco_id}) are one
 * record in either order: whichever is ingested second joins the record of the first (its bytes, often a
 * re-encoded copy, are not stored again; its boxes are scaled to the recorded picture), and the joined
 * record, all sources' annotations together, is announced again. Anything refused becomes a rejection
 * record of the run with a stable reason; the run goes on. A source image the data set already has is a
 * duplicate and adds nothing.
 *
 * <p>Readers stream ({@link ItemSink}): items arrive one at a time and go through the pipeline in batches,
 * so no source is ever held in memory whole. Files are read, checked and stored by a small pool of
 * threads; each batch is then announced and recorded together (one wait for the broker, one
 * transaction). The calling thread is a worker (file IO, decoding and the MinIO SDK block); database work
 * is reactive and runs on a Vert.x context through {@link VertxContextSupport}.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);
    private static final int REPORTED_REJECTIONS = 200;
    /** No single wait of an import (a batch's sends, a transaction, one file stored) may hang it for good. */
    private static final Duration STEP_LIMIT = Duration.ofMinutes(2);
    private static final int MAX_DETAIL = 2000;
    /** Recorded with a reason like a rejection, but the item itself was kept. */
    private static final Set<String> NOT_REJECTIONS = Set.of("box.clipped", "image.extension_mismatch",
            "item.duplicate_in_source", "item.link_refused");

    private final IngestionRepository repository;
    private final ImageRecordRepository records;
    private final ObjectStore objectStore;
    private final ImageIngestedPublisher publisher;
    private final IngestionConfig config;
    private final MeterRegistry metrics;
    private final ExecutorService workers;
    private final UrlFetcher urls;

    public IngestService(IngestionRepository repository, ImageRecordRepository records, ObjectStore objectStore,
            ImageIngestedPublisher publisher, IngestionConfig config, MeterRegistry metrics) {
        this.repository = repository;
        this.records = records;
        this.objectStore = objectStore;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
        IngestionConfig.Url url = config.ingest().url();
        this.urls = new UrlFetcher(new UrlFetcher.Settings(url.enabled(), url.allowPrivate(), url.timeout(),
                url.retries(), url.concurrency(), config.ingest().maxImageBytes()));
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

    /** A COCO folder, as {@code POST /imports/coco} always did. */
    public ImportReport importFolder(Path annotationsDir, Path imagesDir, String dataset) throws IOException {
        return ingest("coco", List.of(annotationsDir), imagesDir, dataset, null);
    }

    /**
     * Reads {@code paths} as {@code format} and ingests every item. {@code imagesDir} may be null: image
     * paths then resolve against the annotation files' folder. {@code runId} may be null (a new one).
     */
    public ImportReport ingest(String format, List<Path> paths, Path imagesDir, String dataset, String runId)
            throws IOException {
        AnnotationFormat reader = Formats.byName(format).orElseThrow(() -> new IllegalArgumentException(
                "unknown format " + format + "; known: " + String.join(", ", Formats.names())));
        if (paths == null || paths.isEmpty()) {
            throw new IllegalArgumentException("no annotation paths given");
        }
        if (imagesDir != null && !Files.isDirectory(imagesDir)) {
            throw new IllegalArgumentException("images folder not found: " + imagesDir);
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new SourceFormatException("not found: " + p);
            }
        }
        if (runId != null) {
            IngestRunEntity previous = await(() -> repository.findRun(runId));
            if (previous != null && "COMPLETED".equals(previous.status)) {
                throw new IllegalArgumentException("run " + runId + " has already completed");
            }
        }
        Run run = new Run(runId, dataset, reader.name(),
                paths.stream().map(Path::toString).collect(Collectors.joining(";")), imagesDir);
        await(() -> repository.saveRun(run.entity));
        try {
            Pipeline pipeline = new Pipeline(run, imagesDir);
            try {
                reader.stream(paths, pipeline);
                pipeline.finish();
            } catch (RuntimeException | IOException e) {
                pipeline.abandon();
                throw e;
            }
            run.entity.status = "COMPLETED";
        } catch (RuntimeException | IOException e) {
            run.entity.status = "FAILED";
            run.reject("import", e instanceof SourceFormatException ? "source.unusable" : "import.failed",
                    String.valueOf(e.getMessage()));
            throw e;
        } finally {
            finish(run);
        }
        return run.report();
    }

    /** Ingests items built elsewhere (an ingest request naming a single image) as a run of their own. */
    public ImportReport ingestItems(String format, List<SourceItem> items, Path imagesDir, String dataset,
            String runId) {
        Run run = new Run(runId, dataset, format, "request", imagesDir);
        await(() -> repository.saveRun(run.entity));
        try {
            Pipeline pipeline = new Pipeline(run, imagesDir);
            try {
                items.forEach(pipeline::item);
                pipeline.finish();
            } catch (RuntimeException e) {
                pipeline.abandon();
                throw e;
            }
            run.entity.status = "COMPLETED";
        } catch (RuntimeException e) {
            run.entity.status = "FAILED";
            run.reject("import", "import.failed", String.valueOf(e.getMessage()));
            throw e;
        } finally {
            finish(run);
        }
        return run.report();
    }

    private void finish(Run run) {
        run.entity.finishedAt = now();
        run.entity.imagesNew = run.ingested + run.entity.imagesMerged;
        run.flushRejections();
        await(() -> repository.saveRun(run.entity));
        try (LogFields ids = LogFields.of(LogFields.RUN_ID, run.entity.runId)) {
            LOG.infof("ingest %s (%s) of %s: %d seen, %d ingested, %d merged, %d duplicates, %d images and %d "
                    + "annotations refused", run.entity.runId, run.entity.format, run.entity.dataset,
                    run.entity.imagesSeen, run.ingested, run.entity.imagesMerged, run.entity.imagesAlreadyPresent,
                    run.entity.imagesRejected, run.entity.annotationsRejected);
        }
    }

    /**
     * The ingest pipeline of one run, fed item by item as a reader streams them ({@link ItemSink}): an
     * item new to the data set waits in a chunk of one batch; a full chunk has its cross-source links
     * looked up in one query and goes to the workers; once a few batches are in flight, the oldest batch is
     * collected, announced and recorded. So memory holds at most {@code 5 x batch-size} items whatever the
     * size of the source, besides one id per image of the data set (to skip repeats).
     */
    private final class Pipeline implements ItemSink {

        private final Run run;
        private final Path imagesDir;
        private final Map<String, String> known;
        private final Set<String> seenIds = new HashSet<>();
        private final Set<String> restoring = new HashSet<>();
        private final Set<String> createdThisRun = new HashSet<>();
        private final List<SourceItem> chunk = new ArrayList<>();
        private final Deque<Future<Prepared>> inFlight = new ArrayDeque<>();
        private final Deque<SourceItem> inFlightItems = new ArrayDeque<>();
        private final int batchSize = Math.max(1, config.ingest().batchSize());
        // Preparation runs ahead of recording by a few batches, so the workers keep reading and storing
        // files while a batch is announced and recorded; the window bounds what waits in memory.
        private final int window = batchSize * 4;

        Pipeline(Run run, Path imagesDir) {
            this.run = run;
            this.imagesDir = imagesDir;
            this.known = await(() -> repository.knownSources(run.entity.dataset));
        }

        @Override
        public void problem(String item, String reason, String detail) {
            if (reason.startsWith("image.")) {
                run.entity.imagesRejected++;
                metrics.counter("vlit.ingest.images", "outcome", "rejected", "reason", reason).increment();
            } else {
                run.entity.annotationsRejected++;
            }
            run.reject(item == null ? "?" : item, reason, detail == null ? "" : detail);
            run.flushRejectionsIfMany();
        }

        @Override
        public void item(SourceItem item) {
            run.entity.imagesSeen++;
            if (!seenIds.add(item.sourceId)) {
                run.entity.imagesAlreadyPresent++;
                run.reject(item.sourceId, "item.duplicate_in_source", "the source lists this image twice; first kept");
                return;
            }
            String objectKey = known.get(item.sourceId);
            if (objectKey != null && objectStore.has(objectKey)) {
                run.entity.imagesAlreadyPresent++;
                metrics.counter("vlit.ingest.images", "outcome", "already_present").increment();
                return;
            }
            if (objectKey != null) {
                // Recorded but gone from the store (a wiped bucket or a new store on an old database): store
                // and announce it again; the records are upserts and stay as they are.
                restoring.add(item.sourceId);
            }
            chunk.add(item);
            if (chunk.size() >= batchSize) {
                launch();
            }
        }

        /** Everything read has been handed over: the rest is prepared, announced and recorded. */
        void finish() {
            launch();
            while (!inFlight.isEmpty()) {
                collect();
            }
        }

        /** Stops what is still being prepared (the run failed). */
        void abandon() {
            inFlight.forEach(f -> f.cancel(true));
        }

        /**
         * The chunk's links to records of other sources, then its items to the workers. A Visual Genome
         * image naming a COCO image joins that COCO image's record; a COCO image that a Visual Genome image
         * recorded earlier names ({@code coco_id}) joins that record: whichever comes second joins the first.
         */
        private void launch() {
            if (chunk.isEmpty()) {
                return;
            }
            Set<String> cocoIds = new HashSet<>();
            Set<String> namedByVg = new HashSet<>();
            for (SourceItem item : chunk) {
                if (item.linkedCocoId != null) {
                    cocoIds.add(item.linkedCocoId);
                } else if ("coco".equals(item.format)) {
                    namedByVg.add(item.sourceId);
                }
            }
            Map<String, CocoImage> cocoRecords = await(() -> records.cocoImages(cocoIds));
            Map<String, CocoImage> vgRecords = await(() -> records.imagesNamingCoco(namedByVg));
            for (SourceItem item : chunk) {
                boolean restore = restoring.remove(item.sourceId);
                // A COCO image whose bytes left the store is read from its own file again (as before links
                // went this way), whatever VG copy names it: the restore needs its bytes.
                CocoImage link = item.linkedCocoId != null ? cocoRecords.get(item.linkedCocoId)
                        : "coco".equals(item.format) && !restore ? vgRecords.get(item.sourceId) : null;
                if (link != null && !sameShape(item, link)) {
                    // COCO ids are only numbers: another COCO-format data set (rendered scenes, a custom
                    // set) can use the same ones. A copy of the same picture has the same shape.
                    run.reject(item.sourceId, "item.link_refused", "COCO id " + link.cocoId() + " names a "
                            + link.width() + "x" + link.height() + " picture, this one is " + item.width + "x"
                            + item.height + ": not the same picture, kept apart");
                    link = null;
                }
                CocoImage joins = link;
                inFlight.add(workers.submit(() -> prepare(run, item, joins, imagesDir, restore)));
                inFlightItems.add(item);
                while (inFlight.size() >= window) {
                    collect();
                }
            }
            chunk.clear();
        }

        /** Waits for the oldest batch in flight, then announces and records it. */
        private void collect() {
            List<Prepared> ready = new ArrayList<>();
            for (int i = 0; i < batchSize && !inFlight.isEmpty(); i++) {
                SourceItem item = inFlightItems.poll();
                try {
                    ready.add(inFlight.poll().get(STEP_LIMIT.toSeconds(), TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof InvalidImageException invalid) {
                        run.entity.imagesRejected++;
                        run.reject(item.fileName == null ? item.sourceId : item.fileName, invalid.reason(),
                                invalid.getMessage());
                        metrics.counter("vlit.ingest.images", "outcome", "rejected", "reason", invalid.reason())
                                .increment();
                    } else if (e.getCause() instanceof RuntimeException runtime) {
                        abandon();
                        throw runtime;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                } catch (TimeoutException e) {
                    abandon();
                    throw new ObjectStore.ObjectStoreException("reading and storing " + item.sourceId
                            + " took more than " + STEP_LIMIT.toSeconds() + "s", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("import interrupted", e);
                }
            }
            record(run, ready, createdThisRun);
            run.flushRejectionsIfMany();
            // Progress for whoever follows the run on GET /imports/{id} (the CLI's progress bar).
            run.entity.imagesNew = run.ingested + run.entity.imagesMerged;
            await(() -> repository.saveRun(run.entity));
        }
    }

    /**
     * Announce first, record second: if recording fails, the next import sees these images as new and
     * announces them again, which consumers absorb (same ids). The other order could record an image that
     * was never announced, and a re-import would then skip it for good. What is announced is the image's
     * whole record: what earlier sources recorded plus what this batch adds.
     */
    private void record(Run run, List<Prepared> ready, Set<String> createdThisRun) {
        if (ready.isEmpty()) {
            return;
        }
        Set<String> ids = new HashSet<>();
        ready.forEach(p -> ids.add(p.imageId()));
        Map<String, ImageIngested> existing = await(() -> records.load(ids));
        Map<String, ImageIngested> merged = new LinkedHashMap<>();
        for (Prepared p : ready) {
            p.notes().forEach(n -> {
                if (n.counted()) {
                    run.entity.annotationsRejected++;
                }
                run.reject(n.item(), n.reason(), n.detail());
            });
            run.entity.boxesClipped += (int) p.notes().stream().filter(n -> "box.clipped".equals(n.reason())).count();
            String outcome;
            if (p.restored()) {
                run.entity.imagesRestored++;
                outcome = "restored";
            } else if (existing.containsKey(p.imageId()) || createdThisRun.contains(p.imageId())) {
                run.entity.imagesMerged++;
                outcome = "merged";
            } else {
                run.ingested++;
                outcome = "new";
            }
            createdThisRun.add(p.imageId());
            metrics.counter("vlit.ingest.images", "outcome", outcome).increment();
            ImageIngested base = merged.containsKey(p.imageId()) ? merged.get(p.imageId()) : existing.get(p.imageId());
            merged.put(p.imageId(), RecordMerge.merge(base, p.addition()));
        }
        List<Uni<Void>> sends = merged.values().stream().map(e -> withRun(e, run.entity.runId))
                .map(publisher::publish).toList();
        await(() -> Uni.join().all(sends).andFailFast().replaceWith(true));
        await(() -> records.save(ready.stream().map(Prepared::records).toList()).replaceWith(true));
        for (Prepared p : ready) {
            run.captions += p.addition().captions().size();
            run.boxes += p.addition().boxes().size();
            run.entity.annotations += p.records().captions().size() + p.records().boxes().size()
                    + p.records().annotations().size();
        }
        run.emitted += merged.size();
    }

    /** Whether a source's image and a recorded one can be copies of one picture: the same aspect, within 2%. */
    static boolean sameShape(SourceItem item, CocoImage recorded) {
        if (item.width == null || item.height == null || recorded.width() <= 0 || recorded.height() <= 0) {
            return true;
        }
        double mine = (double) item.width / item.height;
        double theirs = (double) recorded.width() / recorded.height();
        return Math.abs(mine - theirs) <= 0.02 * theirs;
    }

    private static ImageIngested withRun(ImageIngested e, String runId) {
        return new ImageIngested(ImageIngested.SCHEMA_VERSION, e.imageId(), e.imageKey(), e.format(), e.width(),
                e.height(), e.captions(), e.boxes(), e.licence(), e.source(), runId, e.regions(), e.relations(),
                e.questions(), e.referringExpressions(), e.phrases(), e.conversations(), e.sources(), e.credit(),
                e.perceptualHash());
    }

    /** A recorded remark about part of an item: a refused or clipped annotation. */
    private record Note(String item, String reason, String detail, boolean counted) {
    }

    /** One item read, checked and stored, with everything needed to record and announce it. */
    private record Prepared(String imageId, ItemRecords records, ImageIngested addition, boolean restored,
            List<Note> notes) {
    }

    /** Runs on an ingest worker: reads, checks and stores the bytes; touches no shared state. */
    private Prepared prepare(Run run, SourceItem item, CocoImage link, Path imagesDir, boolean restored)
            throws InvalidImageException {
        String dataset = run.entity.dataset;
        List<Note> notes = new ArrayList<>();
        String imageId;
        String key;
        String format;
        int width;
        int height;
        long size;
        ImageRow imageRow;
        String hash;
        int fromWidth;
        int fromHeight;
        if (link != null) {
            // The COCO picture is recorded already: this item's annotations join it, scaled from the size
            // the source gives to the COCO image's own.
            imageId = link.imageId();
            key = link.objectKey();
            format = link.format();
            width = link.width();
            height = link.height();
            fromWidth = item.width == null ? width : item.width;
            fromHeight = item.height == null ? height : item.height;
            imageRow = new ImageRow(imageId, null, format, width, height, 0, item.licence, item.credit, null);
            hash = null;
        } else {
            byte[] bytes = item.bytes != null ? item.bytes
                    : UrlFetcher.isUrl(item.fileName) ? urls.fetch(item.fileName)
                    : readImage(imagesDir != null ? imagesDir : item.baseDir, item.fileName);
            if (bytes.length > config.ingest().maxImageBytes()) {
                throw new InvalidImageException("image.too_large",
                        bytes.length + " bytes, more than the limit of " + config.ingest().maxImageBytes());
            }
            ImageFacts facts = ImageInspector.inspect(bytes, config.ingest().fullDecode(), config.ingest().maxPixels());
            if (item.width != null && item.height != null
                    && (facts.width() != item.width || facts.height() != item.height)) {
                throw new InvalidImageException("image.size_mismatch", "annotation says " + item.width + "x"
                        + item.height + ", the file is " + facts.width() + "x" + facts.height());
            }
            String extension = UrlFetcher.isUrl(item.fileName) ? null : extension(item.fileName);
            if (extension != null && !extensionMatches(extension, facts.format())) {
                notes.add(new Note(item.fileName, "image.extension_mismatch", "named ." + extension + " but the bytes are "
                        + facts.format() + "; stored as " + facts.format(), false));
            }
            imageId = Ids.imageId(bytes);
            format = facts.format();
            key = ObjectKeys.image(imageId, format);
            width = facts.width();
            height = facts.height();
            fromWidth = width;
            fromHeight = height;
            size = bytes.length;
            if (objectStore.putIfAbsent(key, bytes, facts.contentType())) {
                metrics.counter("vlit.ingest.bytes", "format", facts.format()).increment(bytes.length);
            }
            hash = PerceptualHash.dHash(bytes);
            imageRow = new ImageRow(imageId, key, format, width, height, size, item.licence, item.credit, hash);
        }
        String where = dataset + "/" + item.sourceId;
        List<CaptionRow> captionRows = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (SourceItem.Caption c : item.captions) {
            captionRows.add(new CaptionRow(dataset, c.id(), c.text()));
            captions.add(c.text());
        }
        List<BoxRow> boxRows = new ArrayList<>();
        List<BoundingBox> boxes = new ArrayList<>();
        for (int i = 0; i < item.boxes.size(); i++) {
            BoundingBox raw = item.boxes.get(i);
            BoundingBox box = toPixels(raw, fromWidth, fromHeight, width, height,
                    where + " box " + (raw.objectId() == null ? i : raw.objectId()), notes);
            if (box != null) {
                boxes.add(box);
                boxRows.add(new BoxRow(dataset, item.sourceId + "#" + i
                        + (raw.objectId() == null ? "" : ":" + raw.objectId()), box));
            }
        }
        List<AnnotationRow> annotations = new ArrayList<>();
        List<Region> regions = new ArrayList<>();
        for (Region r : item.regions) {
            BoundingBox box = toPixels(r.box(), fromWidth, fromHeight, width, height, where + " region " + r.sourceId(),
                    notes);
            if (box != null) {
                Region region = new Region(r.description(), box, r.sourceId());
                regions.add(region);
                annotations.add(new AnnotationRow(dataset, ImageRecordRepository.REGION, r.sourceId(), null,
                        EventJson.write(region)));
            }
        }
        for (Relation r : item.relations) {
            annotations.add(new AnnotationRow(dataset, ImageRecordRepository.RELATION, r.sourceId(), null,
                    EventJson.write(r)));
        }
        for (QaPair q : item.questions) {
            annotations.add(new AnnotationRow(dataset, ImageRecordRepository.QUESTION, q.sourceId(), null,
                    EventJson.write(q)));
        }
        List<ReferringExpression> expressions = new ArrayList<>();
        for (ReferringExpression e : item.referringExpressions) {
            BoundingBox box = toPixels(e.box(), fromWidth, fromHeight, width, height,
                    where + " expression " + e.sourceId(), notes);
            if (box != null) {
                ReferringExpression expression = new ReferringExpression(e.text(), box, e.collection(), e.split(),
                        e.sourceId());
                expressions.add(expression);
                annotations.add(new AnnotationRow(dataset, ImageRecordRepository.REFERRING_EXPRESSION, e.sourceId(),
                        null, EventJson.write(expression)));
            }
        }
        for (GroundedPhrase p : item.phrases) {
            String captionId = item.captions.get(p.captionIndex()).id();
            annotations.add(new AnnotationRow(dataset, ImageRecordRepository.PHRASE,
                    captionId + "@" + p.firstWord() + ":" + p.entityId(), captionId, EventJson.write(p)));
        }
        for (ImportedConversation c : item.conversations) {
            annotations.add(new AnnotationRow(dataset, ImageRecordRepository.CONVERSATION, c.sourceId(), null,
                    EventJson.write(c)));
        }
        SourceRef source = new SourceRef(dataset, item.split, item.sourceId, item.fileName);
        SourceRow sourceRow = new SourceRow(dataset, item.sourceId, item.split, item.fileName == null ? item.sourceId
                : item.fileName, item.format, item.linkedCocoId, imageId, run.entity.runId);
        ImageIngested addition = new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, key, format, width, height,
                captions, boxes, item.licence, source, run.entity.runId, regions, item.relations, item.questions,
                expressions, item.phrases, item.conversations, List.of(source), item.credit, hash);
        return new Prepared(imageId, new ItemRecords(imageRow, sourceRow, captionRows, boxRows, annotations), addition,
                restored, notes);
    }

    /**
     * A box as written to pixels of the image it belongs to: converted from its source convention,
     * scaled if the source's image size differs, fitted to the image. A box that cannot be used is
     * {@code null}, with a note saying why; a clipped box is kept, with a note saying what was cut.
     */
    private BoundingBox toPixels(BoundingBox raw, int fromWidth, int fromHeight, int width, int height, String where,
            List<Note> notes) {
        String convention = raw.sourceConvention() == null ? BoxConventions.COCO_XYWH : raw.sourceConvention();
        PixelBox pixels;
        try {
            pixels = BoxConventions.toPixels(convention, raw.x(), raw.y(), raw.width(), raw.height(), fromWidth,
                    fromHeight);
        } catch (IllegalArgumentException e) {
            notes.add(new Note(where, "box.invalid", e.getMessage(), true));
            return null;
        }
        if (pixels.width() < 0 || pixels.height() < 0) {
            notes.add(new Note(where, "box.negative_size", "width " + pixels.width() + ", height " + pixels.height(),
                    true));
            return null;
        }
        if (pixels.width() == 0 || pixels.height() == 0) {
            notes.add(new Note(where, "box.empty", "the box has no area", true));
            return null;
        }
        pixels = BoxConventions.rescale(pixels, fromWidth, fromHeight, width, height);
        BoxConventions.Clipped clipped = BoxConventions.clip(pixels, width, height);
        if (clipped == null) {
            notes.add(new Note(where, "box.outside_image", "[" + pixels.x() + ", " + pixels.y() + ", " + pixels.width()
                    + ", " + pixels.height() + "] has no part inside the " + width + "x" + height + " image", true));
            return null;
        }
        if (clipped.change() != null) {
            if (!config.ingest().clipBoxes()) {
                notes.add(new Note(where, "box.outside_image", clipped.change() + " (clipping is off)", true));
                return null;
            }
            notes.add(new Note(where, "box.clipped", clipped.change(), false));
        }
        PixelBox b = clipped.box();
        String category = raw.category() == null || raw.category().isBlank() ? "object" : raw.category();
        return new BoundingBox(category, b.x(), b.y(), b.width(), b.height(), raw.objectId(), raw.attributes(),
                convention);
    }

    private static String extension(String fileName) {
        if (fileName == null) {
            return null;
        }
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        return dot < 0 ? null : base.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static boolean extensionMatches(String extension, String format) {
        return switch (extension) {
            case "jpg", "jpeg", "jpe" -> format.equals("jpeg");
            case "png", "gif", "bmp", "webp" -> format.equals(extension);
            default -> true;
        };
    }

    /** Reads an image file that must lie inside {@code base}, following no link out of it. */
    private byte[] readImage(Path base, String fileName) throws InvalidImageException {
        if (fileName == null || fileName.isBlank()) {
            throw new InvalidImageException("image.missing", "the item names no image file");
        }
        if (base == null) {
            throw new InvalidImageException("image.missing", "no images folder to find " + fileName + " in");
        }
        Path root = base.toAbsolutePath().normalize();
        Path file;
        try {
            if (fileName.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                throw new InvalidPathException(fileName, "control character in the name");
            }
            Path named = Path.of(fileName);
            if (named.isAbsolute()) {
                file = named.normalize();
                if (!file.startsWith(root)) {
                    throw new InvalidImageException("image.outside_folder",
                            fileName + " is an absolute path outside the images folder " + root);
                }
            } else {
                file = root.resolve(named).normalize();
                if (!file.startsWith(root)) {
                    throw new InvalidImageException("image.path_traversal",
                            fileName + " climbs out of the images folder with '..'");
                }
            }
        } catch (InvalidPathException e) {
            throw new InvalidImageException("image.bad_file_name", "not a usable file name: " + e.getReason());
        }
        try {
            if (!file.toRealPath().startsWith(root.toRealPath())) {
                throw new InvalidImageException("image.symlink_escape", fileName + " links outside the images folder");
            }
            if (!Files.isRegularFile(file)) {
                throw new InvalidImageException("image.not_a_file", fileName + " is not a regular file");
            }
            long size = Files.size(file);
            if (size > config.ingest().maxImageBytes()) {
                throw new InvalidImageException("image.too_large",
                        size + " bytes, more than the limit of " + config.ingest().maxImageBytes());
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidImageException("image.missing", "no file " + fileName + " in " + base);
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

    /** Keeps stored text printable: no NUL (PostgreSQL refuses it), no other control characters, bounded. */
    static String clean(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? '?' : c);
        }
        return out.toString();
    }

    /** The mutable state of one import while it runs. */
    private final class Run {
        final IngestRunEntity entity = new IngestRunEntity();
        final List<IngestRejectionEntity> pending = new ArrayList<>();
        final List<ImportReport.Rejection> reported = new ArrayList<>();
        final Map<String, Integer> byReason = new TreeMap<>();
        int captions;
        int boxes;
        int emitted;
        int ingested;

        Run(String runId, String dataset, String format, String annotations, Path imagesDir) {
            entity.runId = runId == null ? UUID.randomUUID().toString() : runId;
            entity.dataset = dataset;
            entity.format = format;
            entity.annotationsDir = clean(annotations, 1000);
            entity.imagesDir = imagesDir == null ? "" : clean(imagesDir.toString(), 1000);
            entity.status = "RUNNING";
            entity.startedAt = now();
        }

        void reject(String item, String reason, String detail) {
            IngestRejectionEntity r = new IngestRejectionEntity();
            r.runId = entity.runId;
            r.item = clean(item, 500);
            r.reason = clean(reason, 100);
            r.detail = clean(detail, MAX_DETAIL);
            r.createdAt = now();
            pending.add(r);
            if (!NOT_REJECTIONS.contains(reason)) {
                byReason.merge(r.reason, 1, Integer::sum);
            }
            if (reported.size() < REPORTED_REJECTIONS) {
                reported.add(new ImportReport.Rejection(r.item, r.reason, r.detail));
            }
            try (LogFields ids = LogFields.of(LogFields.RUN_ID, entity.runId)) {
                LOG.debugf("ingest %s refused %s: %s (%s)", entity.runId, r.item, reason, r.detail);
            }
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
            IngestRunEntity e = entity;
            return new ImportReport(e.runId, e.dataset, e.format, e.status, e.imagesSeen, ingested + e.imagesMerged,
                    e.imagesAlreadyPresent, e.imagesRestored, e.imagesRejected, e.annotationsRejected, captions, boxes,
                    e.annotations, e.boxesClipped, emitted, ingested, e.imagesMerged, e.imagesAlreadyPresent,
                    e.imagesRejected + e.annotationsRejected, Map.copyOf(byReason), List.copyOf(reported));
        }
    }
}
