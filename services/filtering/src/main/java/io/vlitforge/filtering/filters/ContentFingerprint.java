package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The identity of a sample's content for exact-duplicate detection: the image and the conversation,
 * with case and runs of whitespace normalised. Two samples with the same fingerprint teach the model
 * the same thing about the same picture.
 */
public final class ContentFingerprint {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ContentFingerprint() {
    }

    public static String of(Sample sample) {
        StringBuilder text = new StringBuilder(sample.imageId());
        for (Turn turn : sample.conversations()) {
            text.append('\u0000').append(turn.from()).append('\u0000')
                    .append(turn.value() == null ? "" : normalise(turn.value()));
        }
        return Ids.sha256Hex(text.toString());
    }

    private static String normalise(String value) {
        String stripped = value.strip();
        // Most texts have no whitespace but single spaces, which the replacement would leave as they are.
        String spaced = singleSpaced(stripped) ? stripped : WHITESPACE.matcher(stripped).replaceAll(" ");
        return spaced.toLowerCase(Locale.ROOT);
    }

    /** No whitespace ({@code \\s}: space, tab, newline, vertical tab, form feed, carriage return) but single spaces. */
    private static boolean singleSpaced(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r'
                    || c == ' ' && i + 1 < text.length() && text.charAt(i + 1) == ' ') {
                return false;
            }
        }
        return true;
    }
}
