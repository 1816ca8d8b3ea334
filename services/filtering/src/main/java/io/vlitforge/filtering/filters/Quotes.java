package io.vlitforge.filtering.filters;

/**
 * Cuts the offending passage out of an answer for a verdict's detail: enough context to see the problem
 * in a rejection listing, never the whole of a long answer.
 */
final class Quotes {

    private static final int CONTEXT = 40;
    private static final int MAX = 160;

    private Quotes() {
    }

    /** The text of {@code [start, end)} with up to 40 characters each side, marked where it was cut. */
    static String around(String text, int start, int end) {
        int from = Math.max(0, start - CONTEXT);
        int to = Math.min(text.length(), Math.min(end + CONTEXT, from + MAX));
        return cut(text, from, to);
    }

    /** The first 160 characters. */
    static String head(String text) {
        return cut(text, 0, Math.min(text.length(), MAX));
    }

    private static String cut(String text, int from, int to) {
        return (from > 0 ? "..." : "") + text.substring(from, to).replaceAll("\\s+", " ").strip()
                + (to < text.length() ? "..." : "");
    }
}
