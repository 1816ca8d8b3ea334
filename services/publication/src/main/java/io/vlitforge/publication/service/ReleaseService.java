package io.vlitforge.publication.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vlitforge.publication.card.DatasetCard;
import io.vlitforge.publication.config.PublicationConfig;
import io.vlitforge.publication.entity.AcceptedSampleEntity;
import io.vlitforge.publication.entity.ReleaseEntity;
import io.vlitforge.publication.formats.Formats;
import io.vlitforge.publication.formats.LlavaFormat;
import io.vlitforge.publication.formats.ReleaseJson;
import io.vlitforge.publication.messaging.DatasetPublishedPublisher;
import io.vlitforge.publication.objectstore.ReleaseStore;
import io.vlitforge.publication.repository.PublicationRepository;
import io.vlitforge.publication.service.ReleaseWriter.ReleaseFiles;
import io.vlitforge.shared.events.DatasetPublished;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.logging.LogFields;
import io.vlitforge.shared.objectstore.ObjectKeys;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Builds a release from the accepted-sample store: the requested formats' files written, images copied,
 * everything read back and validated, then {@code manifest.json} written (last, so a release with a
 * manifest is complete and checked), the release recorded, and {@code datasets.published} sent. Runs on a
 * worker thread.
 */
@ApplicationScoped
public class ReleaseService {

    /** Accepted samples read per query while a release is built. */
    private static final int READ_PAGE = 2000;


    private static final Logger LOG = Logger.getLogger(ReleaseService.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern AUTO_VERSION = Pattern.compile("v(\\d+)");
    public static final String CHANGES_FILE = "changes.json";

    private final PublicationRepository repository;
    private final ReleaseStore store;
    private final DatasetPublishedPublisher publisher;
    private final PublicationConfig config;
    private final MeterRegistry metrics;
    private final ReleaseWriter writer;
    private final ReleaseValidator validator = new ReleaseValidator();
    private final ReleaseProgress progress;

    public ReleaseService(PublicationRepository repository, ReleaseStore store, DatasetPublishedPublisher publisher,
            PublicationConfig config, MeterRegistry metrics, ReleaseProgress progress) {
        this.progress = progress;
        this.repository = repository;
        this.store = store;
        this.publisher = publisher;
        this.config = config;
        this.metrics = metrics;
        this.writer = new ReleaseWriter(config.publication().shardMaxBytes(),
                ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("dev"));
    }

    /**
     * What a caller learns about a release: its formats, counts, where it is, and download links
     * ({@code llavaUrl} only when it has the LLaVA format; the manifest lists every file).
     */
    public record ReleaseInfo(String name, String version, List<String> formats, long samples, long images,
            Map<String, Long> samplesByTask, String bucket, String prefix, String manifestSha256, String llavaUrl,
            String manifestUrl, String localPath) {
    }

    public ReleaseInfo publish(String name, String requestedVersion, List<String> requestedFormats) {
        return publish(name, requestedVersion, requestedFormats, ReleaseRecipe.all());
    }

    /**
     * {@code sources}: the data sets (the {@code dataset} of each sample's source) to release; null or
     * empty releases every accepted sample.
     */
    public ReleaseInfo publish(String name, String requestedVersion, List<String> requestedFormats,
            List<String> sources) {
        return publish(name, requestedVersion, requestedFormats, ReleaseRecipe.ofSources(sources));
    }

    /**
     * Publishes the accepted samples the recipe selects (and mixes, and merges) as release {@code name}
     * {@code version} in the formats asked for. The manifest records the recipe and its hash and what
     * changed since the name's previous version ({@code changes.json} lists the sample ids added and removed).
     */
    public ReleaseInfo publish(String name, String requestedVersion, List<String> requestedFormats,
            ReleaseRecipe recipe) {
        return publish(name, requestedVersion, requestedFormats, recipe, IMAGES_BUNDLE);
    }

    /** Images copied into the release (the default). */
    public static final String IMAGES_BUNDLE = "bundle";
    /** Images left in the store, named by their path relative to the release folder. */
    public static final String IMAGES_REFERENCE = "reference";
    /** Images left in the store, named by presigned download links (which expire, so not reproducible). */
    public static final String IMAGES_LINKS = "links";

    /**
     * {@code images}: {@link #IMAGES_BUNDLE} copies images into the release's {@code images/};
     * {@link #IMAGES_REFERENCE} points at the store's own images (paths relative to the release folder,
     * {@code ../../../images/...}); {@link #IMAGES_LINKS} names them by presigned links in LLaVA and ShareGPT.
     * WebDataset and Parquet embed image bytes either way.
     */
    public ReleaseInfo publish(String name, String requestedVersion, List<String> requestedFormats,
            ReleaseRecipe recipe, String images) {
        ReleaseProgress.Tracker tracker = progress.start(name == null ? "" : name);
        try {
            ReleaseInfo info = publish(name, requestedVersion, requestedFormats, recipe, images, tracker);
            tracker.finish("done");
            return info;
        } catch (RuntimeException e) {
            tracker.finish("failed: " + e.getMessage());
            throw e;
        }
    }

    private ReleaseInfo publish(String name, String requestedVersion, List<String> requestedFormats,
            ReleaseRecipe recipe, String images, ReleaseProgress.Tracker tracker) {
        boolean referenceImages = !IMAGES_BUNDLE.equals(images);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ReleaseException(400, "name must be 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        if (requestedVersion != null && !NAME.matcher(requestedVersion).matches()) {
            throw new ReleaseException(400, "version must be 1-63 lower-case letters, digits, '.', '_' or '-'");
        }
        List<String> formats;
        try {
            formats = Formats.normalise(requestedFormats);
        } catch (IllegalArgumentException e) {
            throw new ReleaseException(400, e.getMessage());
        }
        try {
            recipe.validated();
        } catch (IllegalArgumentException e) {
            throw new ReleaseException(400, "invalid recipe: " + e.getMessage());
        }
        List<ReleaseEntity> existing = await(() -> repository.releases(name));
        String version = requestedVersion != null ? requestedVersion : nextVersion(existing);
        if (existing.stream().anyMatch(r -> r.version.equals(version))) {
            throw new ReleaseException(409, "release " + name + " " + version + " exists already; releases never change");
        }
        tracker.version(version);
        tracker.stage("reading accepted samples");
        // Page by page: only the parsed samples stay, not every stored row's JSON text as well.
        List<Sample> all = new ArrayList<>();
        Map<String, List<Verdict>> verdicts = new HashMap<>();
        String after = null;
        while (true) {
            String from = after;
            List<AcceptedSampleEntity> page = await(() -> repository.acceptedPage(from, READ_PAGE));
            for (AcceptedSampleEntity a : page) {
                Sample s = EventJson.read(a.sampleJson, Sample.class);
                all.add(s);
                if (a.verdictsJson != null) {
                    verdicts.put(s.id(), readVerdicts(a.verdictsJson));
                }
            }
            if (page.size() < READ_PAGE) {
                break;
            }
            after = page.get(page.size() - 1).sampleId;
        }
        List<Sample> samples = recipe.select(all, verdicts);
        if (samples.isEmpty()) {
            boolean onlySources = !recipe.sources().isEmpty() && recipe.equals(ReleaseRecipe.ofSources(recipe.sources()));
            throw new ReleaseException(409, all.isEmpty() ? "no accepted samples yet: nothing to release"
                    : onlySources ? "no accepted samples from " + recipe.sources() + ": nothing to release"
                    : "the recipe selects none of the " + all.size() + " accepted samples: nothing to release");
        }
        Map<String, Object> extras = new TreeMap<>();
        Map<String, Object> recipeEntry = new LinkedHashMap<>(recipe.describe());
        recipeEntry.put("hash", recipe.hash());
        extras.put("releaseRecipe", recipeEntry);
        ReleaseEntity previous = existing.stream().max(Comparator.comparing((ReleaseEntity r) -> r.publishedAt))
                .orElse(null);
        Changes changes = previous == null ? null : changesSince(previous, samples);
        if (changes != null) {
            extras.put("changes", changes.summary());
        }

        String prefix = ObjectKeys.releasePrefix(name, version);
        DatasetCard.Funnel funnel = funnel(recipe, all);
        extras.put("imagesAs", images);
        Map<String, String> links = new TreeMap<>();
        if (IMAGES_LINKS.equals(images)) {
            samples.forEach(s -> links.computeIfAbsent(s.imageKey(), store::downloadUrl));
            extras.put("imageLinksExpireHours", config.publication().presignHours());
        }
        long[] writtenBytes = {0};
        tracker.samples(samples.size());
        tracker.stage("writing " + String.join(", ", formats) + " and the dataset card");
        ReleaseFiles files = writer.write(name, version, formats, samples,
                new ReleaseWriter.Inputs(verdicts, funnel, extras, referenceImages, links), store::read,
                (path, bytes, contentType) -> {
                    store.put(prefix + path, bytes, contentType);
                    writtenBytes[0] += bytes.length;
                    tracker.wrote(bytes.length);
                });
        tracker.toCopy(files.imageCopies().size());
        tracker.stage("copying images");
        files.imageCopies().forEach((source, target) -> {
            store.copy(source, prefix + target);
            tracker.copied();
        });
        tracker.stage("validating");
        // Referenced images stay where they are; each must be there, or the release would point at nothing.
        for (String key : files.referencedImages().keySet()) {
            if (!store.exists(key)) {
                throw new ReleaseValidationException("images.present", key + " is referenced but not in the store");
            }
        }
        // A failed check leaves the files without a manifest and without a record: not a release, and the
        // same name and version can be published again once the cause is fixed.
        try {
            validator.validate(files, path -> store.open(prefix + path));
        } catch (ReleaseValidationException e) {
            LogFields.of(LogFields.RELEASE, name + "/" + version)
                    .run(() -> LOG.warnf("release %s %s not published: %s", name, version, e.getMessage()));
            throw e;
        }
        tracker.stage("publishing");
        if (changes != null) {
            store.put(prefix + CHANGES_FILE, changes.json(), ReleaseJson.CONTENT_TYPE);
        }
        store.put(prefix + ReleaseWriter.MANIFEST_FILE, files.manifestJson(), ReleaseJson.CONTENT_TYPE);

        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        ReleaseEntity release = new ReleaseEntity();
        release.name = name;
        release.version = version;
        release.bucket = store.bucket();
        release.prefix = prefix;
        release.samples = files.samples();
        release.images = files.imageCopies().size() + files.referencedImages().size();
        release.manifestSha256 = Ids.sha256Hex(files.manifestJson());
        release.formats = String.join(",", files.formats());
        release.publishedAt = now;
        await(() -> repository.saveRelease(release));
        Map<String, String> eventFiles = new TreeMap<>();
        files.files().forEach((path, sha) -> {
            if (!path.startsWith(DatasetPublished.IMAGES_FOLDER)) {
                eventFiles.put(path, sha);
            }
        });
        await(() -> publisher.publish(new DatasetPublished(DatasetPublished.SCHEMA_VERSION, name, version,
                store.bucket(), prefix, files.samples(), release.images, files.samplesByTask(),
                eventFiles, release.manifestSha256, now.toString())));
        metrics.counter("vlit.publication.releases").increment();
        // What a release weighs: the files written for it (format files, card, lists; copied images not
        // counted, they are the store's own bytes) and its samples.
        metrics.summary("vlit.publication.release.bytes").record(writtenBytes[0]);
        metrics.summary("vlit.publication.release.samples").record(files.samples());
        try (LogFields ids = LogFields.of(LogFields.RELEASE, name + "/" + version)) {
            LOG.infof("published %s %s (%s): %d samples, %d images at s3://%s/%s", name, version, release.formats,
                    files.samples(), release.images, store.bucket(), prefix);
        }
        return info(release, files.samplesByTask());
    }

    public ReleaseInfo info(ReleaseEntity release, Map<String, Long> samplesByTask) {
        String localPath = config.publication().localStoreRoot().filter(s -> !s.isBlank())
                .map(root -> Paths.get(root, release.bucket, release.prefix).toString()).orElse(null);
        List<String> formats = release.formats == null ? Formats.DEFAULT : List.of(release.formats.split(","));
        String llavaUrl = formats.contains(LlavaFormat.NAME)
                ? store.downloadUrl(release.prefix + LlavaFormat.FILE) : null;
        return new ReleaseInfo(release.name, release.version, formats, release.samples, release.images,
                samplesByTask, release.bucket, release.prefix, release.manifestSha256, llavaUrl,
                store.downloadUrl(release.prefix + ReleaseWriter.MANIFEST_FILE), localPath);
    }

    /**
     * What a version adds and removes against the previous one, by sample id: the id lists go to
     * {@code changes.json} (history, so not part of the content that a rebuild reproduces), the counts and that
     * file's sha256 to the manifest.
     */
    private record Changes(String since, List<String> added, List<String> removed, byte[] json) {
        Map<String, Object> summary() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("since", since);
            s.put("added", added.size());
            s.put("removed", removed.size());
            s.put("file", CHANGES_FILE);
            s.put("sha256", Ids.sha256Hex(json));
            return s;
        }
    }

    private Changes changesSince(ReleaseEntity previous, List<Sample> samples) {
        TreeSet<String> before = new TreeSet<>();
        try (java.io.InputStream in = store.open(previous.prefix + ReleaseWriter.SAMPLE_IDS_FILE)) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    before.add(line.strip());
                }
            }
        } catch (IOException e) {
            // Releases written before samples.txt existed have no id list to compare with.
            LOG.infof("no sample list in %s %s, so no changes recorded: %s", previous.name, previous.version,
                    e.getMessage());
            return null;
        }
        TreeSet<String> now = new TreeSet<>();
        samples.forEach(s -> now.add(s.id()));
        List<String> added = now.stream().filter(id -> !before.contains(id)).toList();
        List<String> removed = before.stream().filter(id -> !now.contains(id)).toList();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("since", previous.version);
        doc.put("added", added);
        doc.put("removed", removed);
        try {
            return new Changes(previous.version, added, removed, ReleaseJson.MAPPER.writeValueAsBytes(doc));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The funnel of the data this release is chosen from: accepted and rejected samples of the recipe's
     * sources and tasks (all of them when it names none).
     */
    private DatasetCard.Funnel funnel(ReleaseRecipe recipe, List<Sample> accepted) {
        long acceptedInScope = accepted.stream().filter(s -> inScope(recipe, ReleaseRecipe.source(s), s.task()))
                .count();
        Map<String, Long> byFilter = new TreeMap<>();
        Map<String, Long> byReason = new TreeMap<>();
        for (PublicationRepository.RejectionCount c : await(repository::rejectionCounts)) {
            if (inScope(recipe, c.source(), c.task())) {
                byFilter.merge(c.filter(), c.count(), Long::sum);
                byReason.merge(c.reason() == null ? c.filter() : c.reason(), c.count(), Long::sum);
            }
        }
        return new DatasetCard.Funnel(acceptedInScope, byFilter, byReason);
    }

    private static boolean inScope(ReleaseRecipe recipe, String source, String task) {
        return (recipe.sources().isEmpty() || source != null && recipe.sources().contains(source))
                && (recipe.tasks().isEmpty() || task != null && recipe.tasks().contains(task));
    }

    private static List<Verdict> readVerdicts(String json) {
        try {
            return List.of(EventJson.mapper().readValue(json, Verdict[].class));
        } catch (IOException e) {
            throw new IllegalStateException("stored verdicts do not parse: " + e.getMessage(), e);
        }
    }


    private static String nextVersion(List<ReleaseEntity> existing) {
        int highest = 0;
        for (ReleaseEntity r : existing) {
            Matcher m = AUTO_VERSION.matcher(r.version);
            if (m.matches()) {
                highest = Math.max(highest, Integer.parseInt(m.group(1)));
            }
        }
        return "v" + (highest + 1);
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A release request that cannot be served, with the HTTP status that says why. */
    public static class ReleaseException extends RuntimeException {
        private final int status;

        public ReleaseException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
