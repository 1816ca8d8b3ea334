package io.vlitforge.filtering.filters;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of an answer as the hygiene and complexity filters count them: maximal runs of letters
 * ({@code \p{L}}), numbers ({@code \p{N}}) and apostrophes. What the pattern {@code [\p{L}\p{N}']+} finds,
 * scanned code point by code point without a regex engine, because every answer is scanned this way.
 */
final class Words {

    /** The general categories of {@code \p{L}} and {@code \p{N}}, as bits of {@link Character#getType}. */
    private static final int WORD_TYPES = 1 << Character.UPPERCASE_LETTER | 1 << Character.LOWERCASE_LETTER
            | 1 << Character.TITLECASE_LETTER | 1 << Character.MODIFIER_LETTER | 1 << Character.OTHER_LETTER
            | 1 << Character.DECIMAL_DIGIT_NUMBER | 1 << Character.LETTER_NUMBER | 1 << Character.OTHER_NUMBER;

    private Words() {
    }

    static boolean inWord(int codePoint) {
        return codePoint == '\'' || (1 << Character.getType(codePoint) & WORD_TYPES) != 0;
    }

    /** Every word of the text, in order. */
    static List<String> of(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        int length = text.length();
        while (i < length) {
            int c = text.codePointAt(i);
            if (!inWord(c)) {
                i += Character.charCount(c);
                continue;
            }
            int start = i;
            while (i < length && inWord(c = text.codePointAt(i))) {
                i += Character.charCount(c);
            }
            words.add(text.substring(start, i));
        }
        return words;
    }

    /** How many words the text has. */
    static int count(String text) {
        int count = 0;
        boolean in = false;
        int i = 0;
        int length = text.length();
        while (i < length) {
            int c = text.codePointAt(i);
            boolean word = inWord(c);
            if (word && !in) {
                count++;
            }
            in = word;
            i += Character.charCount(c);
        }
        return count;
    }
}
