package io.vlitforge.filtering.filters;

import io.vlitforge.filtering.config.FilteringConfig;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filters in the order they run, built from {@code vlit.filters.*}. Every filter sees every sample,
 * so a rejected sample still carries every verdict and the evidence shows all that was wrong, not only
 * the first thing. The content filters run here; the optional model judge ({@link JudgeFilter}, only when
 * enabled) runs after them and before the database transaction, so no lock is held during a model call; the
 * duplicate filters (exact, near text, near picture), novelty
 * and the quotas run inside the database transaction that records the verdict, after these. The chain's version is a hash of every filter's
 * name, version and parameters, so a sample's lineage says exactly which settings decided it.
 */
public final class FilterChain {

    private final List<SampleFilter> filters;
    private final ExactDuplicateFilter exactDuplicate;
    private final NearDuplicateFilter nearDuplicate;
    private final NearImageFilter nearImage;
    private final NoveltyFilter novelty;
    private final QuotaFilter quota;
    private final JudgeFilter judge;
    private final String version;

    public FilterChain(List<SampleFilter> filters, ExactDuplicateFilter exactDuplicate,
            NearDuplicateFilter nearDuplicate) {
        this(filters, exactDuplicate, nearDuplicate, new NoveltyFilter(false, 0.7, true, 1000),
                new QuotaFilter(Map.of(), Map.of()));
    }

    public FilterChain(List<SampleFilter> filters, ExactDuplicateFilter exactDuplicate,
            NearDuplicateFilter nearDuplicate, NoveltyFilter novelty, QuotaFilter quota) {
        this(filters, exactDuplicate, nearDuplicate, new NearImageFilter(4, 5), novelty, quota);
    }

    public FilterChain(List<SampleFilter> filters, ExactDuplicateFilter exactDuplicate,
            NearDuplicateFilter nearDuplicate, NearImageFilter nearImage, NoveltyFilter novelty, QuotaFilter quota) {
        this(filters, null, exactDuplicate, nearDuplicate, nearImage, novelty, quota);
    }

    /** A chain with the model judge after the content filters; {@code judge} is null when it is off. */
    public FilterChain(List<SampleFilter> filters, JudgeFilter judge, ExactDuplicateFilter exactDuplicate,
            NearDuplicateFilter nearDuplicate, NearImageFilter nearImage, NoveltyFilter novelty, QuotaFilter quota) {
        this.filters = List.copyOf(filters);
        this.judge = judge;
        this.exactDuplicate = exactDuplicate;
        this.nearDuplicate = nearDuplicate;
        this.nearImage = nearImage;
        this.novelty = novelty;
        this.quota = quota;
        this.version = Ids.sha256Hex(EventJson.write(describe())).substring(0, 12);
    }

    public static FilterChain from(FilteringConfig.Filters config) {
        return from(config, null);
    }

    /** The configured chain with the model judge built by the caller (it needs Vert.x and metrics), or none. */
    public static FilterChain from(FilteringConfig.Filters config, JudgeFilter judge) {
        Map<String, LengthFilter.Bounds> tasks = new LinkedHashMap<>();
        config.length().tasks().forEach((task, b) -> tasks.put(task, new LengthFilter.Bounds(b.min(), b.max())));
        FilteringConfig.Bounds defaults = config.length().defaults();
        FilteringConfig.Hygiene hygiene = config.hygiene();
        FilteringConfig.NearDuplicate near = config.nearDuplicate();
        HallucinationFilter hallucination = new HallucinationFilter(
                ObjectVocabulary.load(config.hallucination().vocabulary()), config.hallucination().maxScore(),
                config.hallucination().checkCounts());
        FilteringConfig.Complexity complexity = config.complexity();
        FilteringConfig.Caps caps = complexity.caps();
        return new FilterChain(List.of(
                new FormatFilter(),
                new LengthFilter(new LengthFilter.Bounds(defaults.min(), defaults.max()), tasks),
                new HygieneFilter(hygiene.refusalPhrases(), hygiene.leakPhrases(),
                        hygiene.coordinateTasks().orElse(Set.of()), hygiene.repetition().maxPeriod(),
                        hygiene.repetition().minRepeats(), hygiene.repetition().minWordRepeats()),
                hallucination,
                new ComplexityFilter(hallucination.mentions(), new ComplexityFilter.Caps(caps.turns(),
                        caps.answerWords(), caps.reasoningMarkers(), caps.objects()), complexity.reasoningMarkers(),
                        complexity.defaultMinScore(), complexity.minScore())),
                judge,
                new ExactDuplicateFilter(),
                new NearDuplicateFilter(near.shingleWords(), near.bands(), near.rows(), near.threshold(),
                        near.scope() == FilteringConfig.Scope.IMAGE),
                new NearImageFilter(config.nearImage().maxDistance(), config.nearImage().bands()),
                new NoveltyFilter(config.novelty().enabled(), config.novelty().threshold(),
                        config.novelty().scope() == FilteringConfig.Scope.IMAGE, config.novelty().poolSize()),
                new QuotaFilter(config.quota().tasks(), config.quota().sources()));
    }

    /** Every content filter's verdict, in chain order. */
    public List<Verdict> check(Sample sample) {
        List<Verdict> verdicts = new ArrayList<>(filters.size());
        for (SampleFilter filter : filters) {
            verdicts.add(filter.check(sample));
        }
        return verdicts;
    }

    /** The content filters in the order they run. */
    public List<SampleFilter> filters() {
        return filters;
    }

    /** The model judge, or null when it is off (then it is not part of the chain at all). */
    public JudgeFilter judge() {
        return judge;
    }

    public ExactDuplicateFilter exactDuplicate() {
        return exactDuplicate;
    }

    public NearDuplicateFilter nearDuplicate() {
        return nearDuplicate;
    }

    public NearImageFilter nearImage() {
        return nearImage;
    }

    public NoveltyFilter novelty() {
        return novelty;
    }

    public QuotaFilter quota() {
        return quota;
    }

    /** The step this chain adds to a sample's lineage. */
    public LineageStep lineageStep(OffsetDateTime at) {
        return new LineageStep("filtering", stepName(), version, at.toString());
    }

    /** The step name recorded in lineage, e.g. {@code format+length+...+near_duplicate+near_image+novelty+quota}. */
    public String stepName() {
        List<String> names = new ArrayList<>();
        filters.forEach(f -> names.add(f.name()));
        if (judge != null) {
            names.add(JudgeFilter.NAME);
        }
        names.add(ExactDuplicateFilter.NAME);
        names.add(NearDuplicateFilter.NAME);
        names.add(NearImageFilter.NAME);
        names.add(NoveltyFilter.NAME);
        names.add(QuotaFilter.NAME);
        return String.join("+", names);
    }

    public String version() {
        return version;
    }

    /** Each filter in order with its version and parameters, as served by {@code GET /filters}. */
    public List<FilterDescription> describe() {
        List<FilterDescription> out = new ArrayList<>();
        for (SampleFilter filter : filters) {
            out.add(new FilterDescription(filter.name(), filter.version(), filter.parameters()));
        }
        if (judge != null) {
            out.add(new FilterDescription(JudgeFilter.NAME, judge.version(), judge.parameters()));
        }
        out.add(new FilterDescription(ExactDuplicateFilter.NAME, ExactDuplicateFilter.VERSION,
                Map.of("normalisation", "case and whitespace")));
        out.add(new FilterDescription(NearDuplicateFilter.NAME, NearDuplicateFilter.VERSION,
                nearDuplicate.parameters()));
        out.add(new FilterDescription(NearImageFilter.NAME, NearImageFilter.VERSION, nearImage.parameters()));
        out.add(new FilterDescription(NoveltyFilter.NAME, NoveltyFilter.VERSION, novelty.parameters()));
        out.add(new FilterDescription(QuotaFilter.NAME, QuotaFilter.VERSION, quota.parameters()));
        return out;
    }

    /** One filter as configured. */
    public record FilterDescription(String name, String version, Map<String, Object> parameters) {
    }
}
