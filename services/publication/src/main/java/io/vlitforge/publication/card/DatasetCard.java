package io.vlitforge.publication.card;

import io.vlitforge.publication.card.BarChart.Bar;
import io.vlitforge.publication.formats.FileSink;
import io.vlitforge.publication.formats.LlavaFormat;
import io.vlitforge.publication.formats.ParquetFormat;
import io.vlitforge.publication.formats.ReleaseContent;
import io.vlitforge.publication.formats.ShareGptFormat;
import io.vlitforge.publication.formats.WebDatasetFormat;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The release's own documentation: {@code README.md} (a dataset card: what is in it, how to load each
 * format, tables and charts of its tasks, sources, turns, answer lengths and quality scores) and
 * {@code CREDITS.md} (every image's licence and where it came from, grouped by licence), plus the charts as
 * PNG files under {@code charts/}. Everything is computed from the release's samples and the verdicts they
 * were accepted with, in sorted order and without clocks, so a rebuilt release has the same card.
 */
public final class DatasetCard {

    /**
     * Filters whose score compares a sample with the samples decided before it (the nearest earlier image, the
     * most similar earlier text, a count so far). Those scores depend on arrival order, which a crash and
     * redelivery may change, while a release must be a function of its accepted set: the card leaves them out.
     */
    static final Set<String> ORDER_DEPENDENT_SCORES = Set.of("exact_duplicate", "near_duplicate", "near_image",
            "novelty", "quota");


    public static final String README = "README.md";
    public static final String CREDITS = "CREDITS.md";
    public static final String CHART_FOLDER = "charts/";
    private static final String MARKDOWN = "text/markdown; charset=utf-8";
    private static final String PNG = "image/png";
    /** Answer lengths in words, bucketed like the histograms in LLaVA's and ShareGPT4V's papers. */
    private static final int[] LENGTH_EDGES = {10, 25, 50, 100, 200, 400};
    private static final int MAX_SCORE_CHARTS = 8;

    private DatasetCard() {
    }

    /**
     * Where the release's data came from through the filters: how many samples of the release's sources and
     * tasks were accepted, and how many each filter rejected (by reason). Counts only; the rejected samples
     * stay with the filtering service.
     */
    public record Funnel(long accepted, Map<String, Long> rejectedByFilter, Map<String, Long> rejectedByReason) {
        public Funnel {
            rejectedByFilter = new TreeMap<>(rejectedByFilter);
            rejectedByReason = new TreeMap<>(rejectedByReason);
        }

        public long rejected() {
            return rejectedByFilter.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Writes README.md, CREDITS.md and charts/*.png into the sink (no funnel section without a funnel). */
    public static void write(ReleaseContent release, List<String> formats, Map<String, List<Verdict>> verdicts,
            FileSink out) {
        write(release, formats, verdicts, null, out);
    }

    public static void write(ReleaseContent release, List<String> formats, Map<String, List<Verdict>> verdicts,
            Funnel funnel, FileSink out) {
        Stats stats = Stats.of(release, verdicts);
        List<String> charts = new ArrayList<>();
        chart(out, charts, "tasks.png", "Samples per task", bars(stats.byTask));
        chart(out, charts, "sources.png", "Samples per source data set", bars(stats.bySource));
        chart(out, charts, "turns.png", "Samples by number of turns", bars(stats.byTurns));
        chart(out, charts, "answer-lengths.png", "Samples by answer length (words)", bars(stats.byAnswerLength));
        chart(out, charts, "licences.png", "Images per licence", bars(stats.imagesByLicence));
        if (funnel != null) {
            List<Bar> steps = new ArrayList<>();
            steps.add(new Bar("generated", funnel.accepted() + funnel.rejected()));
            funnel.rejectedByFilter().forEach((filter, n) -> steps.add(new Bar("rejected by " + filter, n)));
            steps.add(new Bar("accepted", funnel.accepted()));
            steps.add(new Bar("in this release", stats.samples));
            chart(out, charts, "funnel.png", "Rejection funnel", steps);
        }
        int scoreCharts = 0;
        for (Map.Entry<String, Map<String, Long>> filter : stats.scoreHistograms.entrySet()) {
            if (scoreCharts++ == MAX_SCORE_CHARTS) {
                break;
            }
            chart(out, charts, "score-" + filter.getKey() + ".png", "Score of filter " + filter.getKey(),
                    bars(filter.getValue()));
        }
        out.put(README, readme(release, formats, stats, funnel, charts).getBytes(StandardCharsets.UTF_8), MARKDOWN);
        out.put(CREDITS, credits(release, stats).getBytes(StandardCharsets.UTF_8), MARKDOWN);
    }

    private static void chart(FileSink out, List<String> charts, String file, String title, List<Bar> bars) {
        out.put(CHART_FOLDER + file, BarChart.png(title, bars), PNG);
        charts.add(file);
    }

    private static List<Bar> bars(Map<String, Long> counts) {
        List<Bar> bars = new ArrayList<>();
        counts.forEach((label, n) -> bars.add(new Bar(label, n)));
        return bars;
    }

    private static String readme(ReleaseContent release, List<String> formats, Stats stats, Funnel funnel,
            List<String> charts) {
        StringBuilder md = new StringBuilder();
        // No version in the card: it describes the content, so a rebuild of the same content under a new version
        // has the same card; manifest.json names the version.
        md.append("# ").append(release.name()).append("\n\n");
        md.append("Visual instruction tuning data built by VLIT Forge: ").append(stats.samples)
                .append(" samples (an image and a conversation about it) over ").append(stats.images)
                .append(" images. Every sample passed the filter chain; `manifest.json` names the version and lists "
                        + "every file with its sha256, and `CREDITS.md` every image's licence.\n\n");
        md.append("## Files and how to load them\n\n| format | files | loads with |\n|---|---|---|\n");
        for (String format : formats) {
            md.append("| ").append(format).append(" | ").append(switch (format) {
                case LlavaFormat.NAME -> "`" + LlavaFormat.FILE + "`, `images/`";
                case ShareGptFormat.NAME -> "`" + ShareGptFormat.FILE + "`, `" + ShareGptFormat.DATASET_INFO + "`";
                case WebDatasetFormat.NAME -> "`" + WebDatasetFormat.SHARD_FOLDER + "*.tar`";
                case ParquetFormat.NAME -> "`" + ParquetFormat.FOLDER + "*.parquet`";
                default -> "";
            }).append(" | ").append(switch (format) {
                case LlavaFormat.NAME -> "LLaVA: `--data_path llava.json --image_folder images`";
                case ShareGptFormat.NAME -> "LLaMA-Factory: copy the `dataset_info.json` entry, images relative";
                case WebDatasetFormat.NAME -> "`webdataset.WebDataset(\"shards/shard-{000000..N}.tar\")`";
                case ParquetFormat.NAME -> "`datasets.load_dataset(\"parquet\", data_files=\"parquet/*.parquet\")`";
                default -> "";
            }).append(" |\n");
        }
        md.append('\n');
        table(md, "Tasks", "task", "samples", stats.byTask, stats.samples);
        table(md, "Source data sets", "source", "samples", stats.bySource, stats.samples);
        table(md, "Strategies", "strategy", "samples", stats.byStrategy, stats.samples);
        table(md, "Turns per sample", "turns", "samples", stats.byTurns, stats.samples);
        table(md, "Answer length (words in the assistant's turns)", "words", "samples", stats.byAnswerLength,
                stats.samples);
        if (!stats.scoreHistograms.isEmpty()) {
            md.append("## Quality scores\n\nThe score each filter gave the samples it accepted (share of samples per "
                    + "score range); the filters' thresholds are in their verdicts. The duplicate, novelty and quota "
                    + "filters judge a sample against the samples decided before it, so their scores depend on "
                    + "arrival order; they are in each sample's lineage, not here.\n\n");
            md.append("| filter | samples scored | mean score |\n|---|---:|---:|\n");
            stats.scoreMeans.forEach((filter, mean) -> md.append("| ").append(filter).append(" | ")
                    .append(stats.scoreCounts.get(filter)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.3f", mean)).append(" |\n"));
            md.append('\n');
        }
        if (funnel != null) {
            long generated = funnel.accepted() + funnel.rejected();
            md.append("## Rejection funnel\n\nSamples of this release's sources and tasks that reached the filters: ")
                    .append(generated).append(" generated, ").append(funnel.rejected()).append(" rejected, ")
                    .append(funnel.accepted()).append(" accepted; ").append(stats.samples)
                    .append(" of them chosen for this release by its recipe.\n\n");
            table(md, "Rejected by filter", "filter", "samples", funnel.rejectedByFilter(), generated);
            table(md, "Rejected by reason", "reason", "samples", funnel.rejectedByReason(), generated);
        }
        md.append("## Licences\n\nImages keep their own licences; see `CREDITS.md` for every image.\n\n");
        md.append("| licence | images |\n|---|---:|\n");
        stats.imagesByLicence.forEach((licence, n) -> md.append("| ").append(escape(licence)).append(" | ")
                .append(n).append(" |\n"));
        md.append("\n## Charts\n\n");
        for (String chart : charts) {
            md.append("![").append(chart.replace(".png", "")).append("](").append(CHART_FOLDER).append(chart)
                    .append(")\n\n");
        }
        return md.toString();
    }

    private static void table(StringBuilder md, String title, String key, String unit, Map<String, Long> counts,
            long total) {
        md.append("## ").append(title).append("\n\n| ").append(key).append(" | ").append(unit)
                .append(" | share |\n|---|---:|---:|\n");
        counts.forEach((label, n) -> md.append("| ").append(escape(label)).append(" | ").append(n).append(" | ")
                .append(String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0.0 : 100.0 * n / total)).append(" |\n"));
        md.append('\n');
    }

    private static String credits(ReleaseContent release, Stats stats) {
        StringBuilder md = new StringBuilder();
        md.append("# Credits and licences: ").append(release.name())
                .append("\n\nEvery image in this release is listed under the licence it was published with, with the "
                        + "data set, split and id it has there. Use each image under its own licence.\n");
        stats.imagesPerLicence.forEach((licence, images) -> {
            Licence l = stats.licences.get(licence);
            md.append("\n## ").append(escape(licence));
            if (l != null && l.url() != null) {
                md.append(" (").append(l.url()).append(')');
            }
            md.append("\n\n").append(images.size()).append(" images\n\n| image (sha256) | source | split | id | file |\n"
                    + "|---|---|---|---|---|\n");
            for (String imageId : images) {
                SourceRef source = stats.sources.get(imageId);
                md.append("| `").append(imageId).append("` | ")
                        .append(source == null ? "" : escape(source.dataset())).append(" | ")
                        .append(source == null ? "" : escape(source.split())).append(" | ")
                        .append(source == null ? "" : escape(source.sourceId())).append(" | ")
                        .append(source == null ? "" : escape(source.fileName())).append(" |\n");
            }
        });
        return md.toString();
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    /** Everything the card shows, counted once; every map is sorted so the card's bytes never vary. */
    static final class Stats {
        long samples;
        long images;
        final Map<String, Long> byTask = new TreeMap<>();
        final Map<String, Long> bySource = new TreeMap<>();
        final Map<String, Long> byStrategy = new TreeMap<>();
        final Map<String, Long> byTurns = new TreeMap<>();
        final Map<String, Long> byAnswerLength = new TreeMap<>();
        final Map<String, Long> imagesByLicence = new TreeMap<>();
        final Map<String, TreeSet<String>> imagesPerLicence = new TreeMap<>();
        final Map<String, Licence> licences = new TreeMap<>();
        final Map<String, SourceRef> sources = new TreeMap<>();
        final Map<String, Map<String, Long>> scoreHistograms = new TreeMap<>();
        final Map<String, Double> scoreMeans = new TreeMap<>();
        final Map<String, Long> scoreCounts = new TreeMap<>();

        static Stats of(ReleaseContent release, Map<String, List<Verdict>> verdicts) {
            Stats stats = new Stats();
            Map<String, Double> scoreSums = new TreeMap<>();
            Map<String, TreeSet<Double>> distinctScores = new TreeMap<>();
            for (Sample s : release.samples()) {
                stats.samples++;
                stats.byTask.merge(s.task() == null ? "(none)" : s.task(), 1L, Long::sum);
                SourceRef source = s.lineage() == null ? null : s.lineage().source();
                stats.bySource.merge(source == null || source.dataset() == null ? "(unknown)" : source.dataset(), 1L,
                        Long::sum);
                stats.byStrategy.merge(s.lineage() == null || s.lineage().strategy() == null ? "(unknown)"
                        : s.lineage().strategy().name(), 1L, Long::sum);
                stats.byTurns.merge(String.format(Locale.ROOT, "%02d", Math.min(s.conversations().size(), 20)), 1L,
                        Long::sum);
                stats.byAnswerLength.merge(lengthBucket(answerWords(s)), 1L, Long::sum);
                if (!stats.sources.containsKey(s.imageId())) {
                    stats.images++;
                    stats.sources.put(s.imageId(), source);
                    String licence = s.licence() == null || s.licence().name() == null ? "unknown" : s.licence().name();
                    stats.imagesByLicence.merge(licence, 1L, Long::sum);
                    stats.imagesPerLicence.computeIfAbsent(licence, k -> new TreeSet<>()).add(s.imageId());
                    if (s.licence() != null) {
                        stats.licences.putIfAbsent(licence, s.licence());
                    }
                }
                for (Verdict v : verdicts.getOrDefault(s.id(), List.of())) {
                    if (ORDER_DEPENDENT_SCORES.contains(v.filter())) {
                        continue;
                    }
                    stats.scoreCounts.merge(v.filter(), 1L, Long::sum);
                    scoreSums.merge(v.filter(), v.score(), Double::sum);
                    distinctScores.computeIfAbsent(v.filter(), k -> new TreeSet<>()).add(v.score());
                    stats.scoreHistograms.computeIfAbsent(v.filter(), k -> new TreeMap<>())
                            .merge(scoreBucket(v.score()), 1L, Long::sum);
                }
            }
            scoreSums.forEach((filter, sum) -> stats.scoreMeans.put(filter, sum / stats.scoreCounts.get(filter)));
            // A filter that gives every sample the same score (pass/fail checks) has no distribution to show.
            distinctScores.forEach((filter, scores) -> {
                if (scores.size() < 2) {
                    stats.scoreHistograms.remove(filter);
                }
            });
            return stats;
        }

        static long answerWords(Sample s) {
            long words = 0;
            for (Turn t : s.conversations()) {
                if (Turn.GPT.equals(t.from()) && t.value() != null && !t.value().isBlank()) {
                    words += t.value().trim().split("\\s+").length;
                }
            }
            return words;
        }

        static String lengthBucket(long words) {
            int low = 0;
            for (int edge : LENGTH_EDGES) {
                if (words < edge) {
                    return String.format(Locale.ROOT, "%03d-%03d", low, edge - 1);
                }
                low = edge;
            }
            return String.format(Locale.ROOT, "%03d+", low);
        }

        static String scoreBucket(double score) {
            if (Double.isNaN(score)) {
                return "NaN";
            }
            if (score < 0 || score > 1) {
                return score < 0 ? "<0" : ">1";
            }
            int tenth = Math.min(9, (int) Math.floor(score * 10));
            return String.format(Locale.ROOT, "%.1f-%.1f", tenth / 10.0, (tenth + 1) / 10.0);
        }
    }
}
