package io.vlitforge.publication.service;

import io.vlitforge.publication.card.DatasetCard;
import io.vlitforge.publication.formats.FileSink;
import io.vlitforge.publication.formats.Formats;
import io.vlitforge.publication.formats.ImageSource;
import io.vlitforge.publication.formats.ParquetFormat;
import io.vlitforge.publication.formats.ReleaseContent;
import io.vlitforge.publication.formats.ReleaseFormat;
import io.vlitforge.publication.formats.ReleaseJson;
import io.vlitforge.publication.formats.WebDatasetFormat;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns an accepted set into release files: each requested format's files handed to a sink as they are
 * made (with their sha256 recorded), the plan of image copies, and the {@code manifest.json} that describes
 * it all. The manifest is returned, not written: the caller writes it only after the files have been read
 * back and checked, so a manifest in the store always means a complete, valid release. Output is a pure
 * function of the input (samples in id order, formats in canonical order, maps sorted, no timestamps).
 */
public final class ReleaseWriter {

    public static final String MANIFEST_FILE = "manifest.json";
    public static final String SAMPLE_IDS_FILE = "samples.txt";

    private final long shardMaxBytes;
    private final String codeVersion;

    public ReleaseWriter(long shardMaxBytes) {
        this(shardMaxBytes, "dev");
    }

    /** {@code codeVersion}: the build that writes the release, recorded in the manifest. */
    public ReleaseWriter(long shardMaxBytes, String codeVersion) {
        this.shardMaxBytes = shardMaxBytes;
        this.codeVersion = codeVersion;
    }

    /**
     * The release's description once its format files are written. {@code files} maps every file inside the
     * release (format files and images, not the manifest) to its sha256; {@code imageCopies} maps each
     * image's object key to its path inside the release.
     */
    public record ReleaseFiles(byte[] manifestJson, List<String> formats, Map<String, List<String>> formatFiles,
            Map<String, String> imageCopies, Map<String, Long> samplesByTask, long samples,
            Map<String, String> files, Map<String, String> referencedImages) {
    }

    /**
     * What a release is written from besides its samples: the verdicts they were accepted with (by sample
     * id; samples without any are fine), the rejection funnel for the card (null: none), more manifest
     * entries (the recipe, the changes), and whether images are referenced in the store instead of bundled.
     */
    public record Inputs(Map<String, List<Verdict>> verdicts, DatasetCard.Funnel funnel,
            Map<String, Object> manifestExtras, boolean referenceImages, Map<String, String> imageLinks) {

        public Inputs(Map<String, List<Verdict>> verdicts, DatasetCard.Funnel funnel,
                Map<String, Object> manifestExtras, boolean referenceImages) {
            this(verdicts, funnel, manifestExtras, referenceImages, Map.of());
        }

        public static Inputs none() {
            return new Inputs(Map.of(), null, Map.of(), false);
        }
    }

    public ReleaseFiles write(String name, String version, List<String> requestedFormats, List<Sample> samples,
            ImageSource images, FileSink sink) {
        return write(name, version, requestedFormats, samples, Inputs.none(), images, sink);
    }

    /** Writes the formats, then {@code samples.txt}, then the dataset card (README.md, CREDITS.md, charts). */
    public ReleaseFiles write(String name, String version, List<String> requestedFormats, List<Sample> samples,
            Inputs inputs, ImageSource images, FileSink sink) {
        Map<String, List<Verdict>> verdicts = inputs.verdicts();
        DatasetCard.Funnel funnel = inputs.funnel();
        Map<String, Object> manifestExtras = inputs.manifestExtras();
        List<String> formats = Formats.normalise(requestedFormats);
        ReleaseContent content = new ReleaseContent(name, version, samples,
                inputs.referenceImages() || !inputs.imageLinks().isEmpty(), inputs.imageLinks());

        Map<String, String> imageCopies = new TreeMap<>();
        Map<String, String> referencedImages = new TreeMap<>();
        Map<String, String> files = new TreeMap<>();
        Map<String, Long> byTask = new TreeMap<>();
        Map<String, Long> byLicence = new TreeMap<>();
        TreeSet<String> licensedImages = new TreeSet<>();
        for (Sample s : content.samples()) {
            String inRelease = content.imagePath(s);
            if (content.referenceImages()) {
                // Referenced, not copied: the service checks that the store holds each before publishing.
                referencedImages.put(s.imageKey(), inRelease);
            } else {
                imageCopies.put(s.imageKey(), inRelease);
                // Image objects are named by the sha256 of their bytes (checked at ingestion), so the image id
                // is the file's hash; validation recomputes it from the copy in the release.
                files.put(inRelease, s.imageId());
            }
            byTask.merge(s.task(), 1L, Long::sum);
            if (licensedImages.add(s.imageId())) {
                byLicence.merge(s.licence() == null || s.licence().name() == null ? "unknown"
                        : s.licence().name(), 1L, Long::sum);
            }
        }

        Map<String, List<String>> formatFiles = new LinkedHashMap<>();
        for (String format : formats) {
            ReleaseFormat writer = Formats.writer(format, shardMaxBytes);
            List<String> written = new ArrayList<>();
            writer.write(content, images, (path, bytes, contentType) -> {
                sink.put(path, bytes, contentType);
                files.put(path, Ids.sha256Hex(bytes));
                written.add(path);
            });
            formatFiles.put(format, List.copyOf(written));
        }
        // The sample ids, one per line: what a later version is compared with, and a list users can join on.
        StringBuilder ids = new StringBuilder();
        content.samples().forEach(s -> ids.append(s.id()).append('\n'));
        byte[] idBytes = ids.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sink.put(SAMPLE_IDS_FILE, idBytes, "text/plain; charset=utf-8");
        files.put(SAMPLE_IDS_FILE, Ids.sha256Hex(idBytes));

        List<String> cardFiles = new ArrayList<>();
        DatasetCard.write(content, formats, verdicts, funnel, (path, bytes, contentType) -> {
            sink.put(path, bytes, contentType);
            files.put(path, Ids.sha256Hex(bytes));
            cardFiles.add(path);
        });

        Map<String, Long> byStrategy = new TreeMap<>();
        Map<String, Long> bySource = new TreeMap<>();
        Map<String, Long> bySplit = new TreeMap<>();
        Map<String, Map<String, String>> recipes = new TreeMap<>();
        Map<String, Map<String, String>> generators = new TreeMap<>();
        for (Sample s : content.samples()) {
            Lineage lineage = s.lineage();
            byStrategy.merge(lineage == null || lineage.strategy() == null ? "unknown" : lineage.strategy().name(),
                    1L, Long::sum);
            SourceRef source = lineage == null ? null : lineage.source();
            bySource.merge(source == null || source.dataset() == null ? "unknown" : source.dataset(), 1L, Long::sum);
            bySplit.merge(source == null || source.split() == null ? "unknown" : source.split(), 1L, Long::sum);
            if (lineage != null && lineage.recipe() != null) {
                Recipe r = lineage.recipe();
                Map<String, String> entry = new TreeMap<>();
                entry.put("id", r.id());
                entry.put("version", r.version());
                entry.put("hash", r.hash());
                recipes.put(r.id() + "@" + r.version(), entry);
            }
            if (lineage != null && lineage.generator() != null) {
                Generator g = lineage.generator();
                Map<String, String> entry = new TreeMap<>();
                entry.put("kind", g.kind());
                if (g.model() != null) {
                    entry.put("model", g.model());
                }
                if (g.promptHash() != null) {
                    entry.put("promptHash", g.promptHash());
                }
                generators.put(g.kind() + ":" + (g.model() == null ? "" : g.model()) + ":"
                        + (g.promptHash() == null ? "" : g.promptHash()), entry);
            }
        }

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", name);
        manifest.put("version", version);
        manifest.put("formats", formats);
        manifest.put("formatFiles", formatFiles);
        if (formats.contains(WebDatasetFormat.NAME) || formats.contains(ParquetFormat.NAME)) {
            // The bound decides how samples fall into shards, so it is part of what makes the bytes.
            manifest.put("shardMaxBytes", shardMaxBytes);
        }
        manifest.put("imageFolder", content.imageFolder().substring(0, content.imageFolder().length() - 1));
        manifest.put("imagesBundled", !content.referenceImages());
        manifest.put("samples", (long) content.samples().size());
        manifest.put("images", (long) licensedImages.size());
        manifest.put("samplesByTask", byTask);
        manifest.put("samplesByStrategy", byStrategy);
        manifest.put("samplesBySource", bySource);
        manifest.put("samplesBySplit", bySplit);
        manifest.put("recipes", List.copyOf(recipes.values()));
        manifest.put("generators", List.copyOf(generators.values()));
        manifest.put("card", cardFiles);
        manifest.put("codeVersion", codeVersion);
        manifest.putAll(new TreeMap<>(manifestExtras));
        manifest.put("imagesByLicence", byLicence);
        manifest.put("files", files);
        byte[] manifestBytes;
        try {
            manifestBytes = ReleaseJson.MAPPER.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ReleaseFiles(manifestBytes, formats, formatFiles, imageCopies, byTask, content.samples().size(),
                files, referencedImages);
    }
}
