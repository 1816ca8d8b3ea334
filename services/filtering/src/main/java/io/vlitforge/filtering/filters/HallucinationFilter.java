package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rejects answers that say something is in the image when the image's ground truth (box categories and the
 * human captions) does not have it: the CHAIR measure (Rohrbach et al. 2018) turned from a model metric into
 * a gate on the data. The score is hallucinated mentions / asserted object mentions; the sample fails when
 * the score exceeds {@code maxScore} and the detail names the offending words. A number before an object
 * ("three dogs") is checked against the boxes of that object: more than the boxes (and more than any caption
 * says) is a hallucinated count.
 * <p>
 * Only mentions that assert an object in the picture are checked ({@link ObjectMentions}); a sample without
 * ground truth is accepted with a detail saying it was not checked, because there is nothing to check it
 * against.
 */
public final class HallucinationFilter implements SampleFilter {

    public static final String NAME = "hallucination";
    public static final String VERSION = "1";
    public static final String ABSENT_OBJECT = "hallucination.object";
    public static final String WRONG_COUNT = "hallucination.count";

    /** Where a lower-cased caption splits into the words looked up as implied objects. */
    private static final Pattern NOT_WORD = Pattern.compile("[^a-z-]+");
    /** Ground truths remembered with their canonical form: every sample of an image carries the same one. */
    private static final int TRUTHS_KEPT = 256;

    private final ObjectVocabulary vocabulary;
    private final ObjectMentions mentions;
    /**
     * The last {@value #TRUTHS_KEPT} ground truths read, least recently used dropped first. A poll holds the
     * samples of a few dozen images, several per image, and reading an image's captions (five COCO captions
     * against one answer) cost more than checking the answer itself.
     */
    private final Map<GroundTruth, Truth> truths = new LinkedHashMap<>(TRUTHS_KEPT * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<GroundTruth, Truth> eldest) {
            return size() > TRUTHS_KEPT;
        }
    };
    private final double maxScore;
    private final boolean checkCounts;

    public HallucinationFilter(ObjectVocabulary vocabulary, double maxScore, boolean checkCounts) {
        if (maxScore < 0 || maxScore >= 1) {
            throw new IllegalArgumentException("hallucination max-score must be in [0, 1), got " + maxScore);
        }
        this.vocabulary = vocabulary;
        this.mentions = new ObjectMentions(vocabulary);
        this.maxScore = maxScore;
        this.checkCounts = checkCounts;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("vocabulary", vocabulary.resource());
        parameters.put("vocabularyHash", vocabulary.hash());
        parameters.put("maxScore", maxScore);
        parameters.put("checkCounts", checkCounts);
        return parameters;
    }

    public ObjectVocabulary vocabulary() {
        return vocabulary;
    }

    public ObjectMentions mentions() {
        return mentions;
    }

    /** What the image is known to contain: canonical objects, boxes per object, numbers the captions state. */
    public record Truth(Set<String> objects, Map<String, Integer> boxes, Map<String, Integer> captionNumbers) {
    }

    /** The ground truth in canonical names, or null when the sample carries none. */
    public Truth truth(GroundTruth groundTruth) {
        if (groundTruth == null || (groundTruth.captions().isEmpty() && groundTruth.objectCounts().isEmpty())) {
            return null;
        }
        synchronized (truths) {
            Truth known = truths.get(groundTruth);
            if (known != null) {
                return known;
            }
        }
        Truth truth = read(groundTruth);
        synchronized (truths) {
            truths.put(groundTruth, truth);
        }
        return truth;
    }

    /** What {@link #truth} returns, worked out from the captions and counts (unmodifiable: it is shared). */
    private Truth read(GroundTruth groundTruth) {
        Set<String> objects = new HashSet<>();
        Map<String, Integer> boxes = new HashMap<>();
        groundTruth.objectCounts().forEach((name, count) -> {
            if (count != null && count > 0) {
                String canonical = vocabulary.canonicalOf(name);
                objects.add(canonical);
                boxes.merge(canonical, count, Integer::sum);
            }
        });
        Map<String, Integer> captionNumbers = new HashMap<>();
        for (String caption : groundTruth.captions()) {
            for (ObjectMentions.Mention m : mentions.find(caption)) {
                if (m.kind() != ObjectMentions.Kind.NEGATED && m.kind() != ObjectMentions.Kind.OTHER_SENSE
                        && m.kind() != ObjectMentions.Kind.MODIFIER && m.kind() != ObjectMentions.Kind.ROLE) {
                    objects.add(m.canonical());
                    if (m.number() > 0) {
                        captionNumbers.merge(m.canonical(), m.number(), Math::max);
                    }
                }
            }
            for (String word : NOT_WORD.split(caption.toLowerCase(Locale.ROOT))) {
                String implied = vocabulary.implied(word);
                if (implied != null) {
                    objects.add(implied);
                }
            }
        }
        return new Truth(Collections.unmodifiableSet(objects), Collections.unmodifiableMap(boxes),
                Collections.unmodifiableMap(captionNumbers));
    }

    /** One checked answer's findings. */
    public record Finding(int turn, ObjectMentions.Mention mention, String problem) {
    }

    @Override
    public Verdict check(Sample sample) {
        Truth truth = truth(sample.groundTruth());
        if (truth == null) {
            return new Verdict(NAME, VERSION, 0.0, maxScore, Verdict.Outcome.ACCEPTED, null,
                    "no ground truth on the sample: not checked");
        }
        int asserted = 0;
        List<Finding> absent = new ArrayList<>();
        List<Finding> counts = new ArrayList<>();
        for (Answer answer : SampleFilter.answers(sample)) {
            for (ObjectMentions.Mention m : mentions.find(answer.text())) {
                if (m.kind() != ObjectMentions.Kind.ASSERTED) {
                    continue;
                }
                asserted++;
                if (!truth.objects().contains(m.canonical())) {
                    absent.add(new Finding(answer.turn(), m, null));
                } else if (checkCounts && m.number() > 1) {
                    int boxed = truth.boxes().getOrDefault(m.canonical(), 0);
                    int said = truth.captionNumbers().getOrDefault(m.canonical(), 0);
                    if (boxed > 0 && m.number() > boxed && m.number() > said) {
                        counts.add(new Finding(answer.turn(), m, boxed + " boxed"));
                    }
                }
            }
        }
        int hallucinated = absent.size() + counts.size();
        double score = asserted == 0 ? 0.0 : (double) hallucinated / asserted;
        if (hallucinated == 0 || score <= maxScore) {
            return accept(score, maxScore);
        }
        return reject(score, maxScore, absent.isEmpty() ? WRONG_COUNT : ABSENT_OBJECT,
                detail(absent, counts, hallucinated, asserted, sample));
    }

    private static String detail(List<Finding> absent, List<Finding> counts, int hallucinated, int asserted,
            Sample sample) {
        StringBuilder sb = new StringBuilder();
        sb.append(hallucinated).append(" of ").append(asserted).append(" object mentions not in the ground truth");
        if (!absent.isEmpty()) {
            Set<String> words = new LinkedHashSet<>();
            absent.forEach(f -> words.add("\"" + f.mention().words() + "\" (" + f.mention().canonical() + ", turn "
                    + f.turn() + ")"));
            sb.append("; absent: ").append(String.join(", ", words));
        }
        if (!counts.isEmpty()) {
            Set<String> words = new LinkedHashSet<>();
            counts.forEach(f -> words.add("\"" + f.mention().number() + " " + f.mention().words() + "\" ("
                    + f.problem() + ", turn " + f.turn() + ")"));
            sb.append("; counts: ").append(String.join(", ", words));
        }
        Finding first = !absent.isEmpty() ? absent.get(0) : counts.get(0);
        String text = sample.conversations().get(first.turn()).value();
        sb.append(": \"").append(Quotes.around(text, first.mention().start(), first.mention().end())).append('"');
        return sb.toString();
    }
}
