package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The word shingles of a sample's instructions and answers, the set that near-duplicate detection
 * compares. Words are lower-cased letters and digits only, so punctuation, case and spacing never make
 * two samples look different; the {@code <image>} token is dropped because every sample has it.
 */
public final class Shingles {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private Shingles() {
    }

    public static Set<String> of(Sample sample, int words) {
        StringBuilder text = new StringBuilder();
        for (Turn turn : sample.conversations()) {
            if (turn.value() != null) {
                text.append(turn.value().replace(Turn.IMAGE_TOKEN, " ")).append('\n');
            }
        }
        return of(text.toString(), words);
    }

    /** Every run of {@code words} consecutive words; a text shorter than that is one shingle. */
    public static Set<String> of(String text, int words) {
        List<String> tokens = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            tokens.add(m.group());
        }
        Set<String> shingles = new LinkedHashSet<>();
        if (tokens.size() <= words) {
            if (!tokens.isEmpty()) {
                shingles.add(String.join(" ", tokens));
            }
            return shingles;
        }
        for (int i = 0; i + words <= tokens.size(); i++) {
            shingles.add(String.join(" ", tokens.subList(i, i + words)));
        }
        return shingles;
    }
}
