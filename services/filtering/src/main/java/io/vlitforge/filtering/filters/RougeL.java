package io.vlitforge.filtering.filters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ROUGE-L (Lin 2004): the longest common subsequence of two word sequences as an F1 of its precision and
 * recall, the similarity Self-Instruct uses to keep an instruction only when it is new (ROUGE-L below 0.7
 * against every instruction already in the pool). Words are lower-cased letters and digits.
 */
public final class RougeL {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

    private RougeL() {
    }

    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    /** The ROUGE-L F1 of two word sequences, 0 when either is empty. */
    public static double f1(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            return 0.0;
        }
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (String wa : a) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = wa.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        int lcs = previous[b.size()];
        if (lcs == 0) {
            return 0.0;
        }
        double precision = (double) lcs / a.size();
        double recall = (double) lcs / b.size();
        return 2 * precision * recall / (precision + recall);
    }
}
