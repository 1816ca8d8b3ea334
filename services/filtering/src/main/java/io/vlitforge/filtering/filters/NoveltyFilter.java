package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Novelty against the pool, the pure half: a sample's instructions (its human turns) must not reach ROUGE-L
 * {@code threshold} (Self-Instruct's 0.7) with the instructions of a sample already accepted in its scope,
 * or the data set fills with rephrasings of one question. The pool lives in PostgreSQL ({@code NoveltyPool}),
 * because every replica must see it. Off by default: template instructions repeat by design, so this is for
 * model-written conversations. When off, every sample gets an accepted verdict saying so.
 */
public final class NoveltyFilter {

    public static final String NAME = "novelty";
    public static final String VERSION = "1";
    public static final String NOT_NOVEL = "diversity.not_novel";

    private final boolean enabled;
    private final double threshold;
    private final boolean perImage;
    private final int poolSize;

    public NoveltyFilter(boolean enabled, double threshold, boolean perImage, int poolSize) {
        if (threshold <= 0 || threshold > 1 || poolSize < 1) {
            throw new IllegalArgumentException("novelty needs 0 < threshold <= 1 and pool-size >= 1");
        }
        this.enabled = enabled;
        this.threshold = threshold;
        this.perImage = perImage;
        this.poolSize = poolSize;
    }

    public Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("enabled", enabled);
        parameters.put("threshold", threshold);
        parameters.put("scope", perImage ? "image" : "global");
        parameters.put("poolSize", poolSize);
        return parameters;
    }

    public boolean enabled() {
        return enabled;
    }

    public int poolSize() {
        return poolSize;
    }

    public String scopeOf(Sample sample) {
        return perImage ? sample.imageId() : NearDuplicateFilter.GLOBAL_SCOPE;
    }

    /** The instructions compared: every human turn without the image token, in order. */
    public static String instructions(Sample sample) {
        List<Turn> turns = sample.conversations();
        return turns.stream().filter(t -> Turn.HUMAN.equals(t.from()) && t.value() != null)
                .map(t -> t.value().replace(Turn.IMAGE_TOKEN, "").strip()).collect(Collectors.joining("\n"));
    }

    public Verdict off() {
        return new Verdict(NAME, VERSION, 0.0, threshold, Verdict.Outcome.ACCEPTED, null, "off");
    }

    /** {@code best} is the highest ROUGE-L against the pool and {@code with} that pool entry's sample. */
    public Verdict verdict(double best, String with) {
        if (best < threshold) {
            return new Verdict(NAME, VERSION, best, threshold, Verdict.Outcome.ACCEPTED, null, null);
        }
        return new Verdict(NAME, VERSION, best, threshold, Verdict.Outcome.REJECTED, NOT_NOVEL,
                String.format(Locale.ROOT, "instructions have ROUGE-L %.2f >= %.2f with sample %s", best, threshold,
                        with));
    }
}
