package io.vlitforge.generation.selfinstruct;

import io.vlitforge.shared.events.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a model's reply into conversation turns. The reply format is LLaVA's
 * ({@code Question:\n...\n===\nAnswer:\n...}), read leniently: labels in any case, with or without a
 * newline after the colon, in Markdown bold, with or without the {@code ===} separators, CRLF line
 * ends. A trailing question without its answer (a reply cut off by the token limit) is dropped. What
 * cannot be read becomes a {@link Unparseable} with the reason, and the caller keeps the raw reply.
 */
public final class ReplyParser {

    private static final Pattern LABEL = Pattern.compile(
            "(?im)^[ \\t]*(?:[*#_]+[ \\t]*)?(question|answer)[ \\t]*(?:\\d+)?[ \\t]*:[ \\t]*(?:[*_]+)?");
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^[ \\t]*={3,}[ \\t]*$");
    private static final int MIN_DESCRIPTION_CHARS = 40;

    private ReplyParser() {
    }

    /** A reply that could not be read, and why. */
    public static final class Unparseable extends RuntimeException {
        public Unparseable(String reason) {
            super(reason);
        }
    }

    /** Question/answer pairs as human/gpt turns; at least {@code minPairs} of them. */
    public static List<Turn> questionsAndAnswers(String reply, int minPairs) {
        if (reply == null || reply.isBlank()) {
            throw new Unparseable("empty reply");
        }
        String text = reply.replace("\r\n", "\n").replace('\r', '\n');
        Matcher m = LABEL.matcher(text);
        List<String> kinds = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        while (m.find()) {
            kinds.add(m.group(1).toLowerCase(java.util.Locale.ROOT));
            starts.add(m.start());
            ends.add(m.end());
        }
        if (kinds.isEmpty()) {
            throw new Unparseable("no Question:/Answer: labels in the reply");
        }
        List<Turn> turns = new ArrayList<>();
        String pendingQuestion = null;
        for (int i = 0; i < kinds.size(); i++) {
            int bodyEnd = i + 1 < kinds.size() ? starts.get(i + 1) : text.length();
            String body = clean(text.substring(ends.get(i), bodyEnd));
            if (kinds.get(i).equals("question")) {
                if (pendingQuestion != null) {
                    throw new Unparseable("two questions in a row without an answer");
                }
                if (body.isEmpty()) {
                    throw new Unparseable("an empty question");
                }
                pendingQuestion = body;
            } else {
                if (pendingQuestion == null) {
                    throw new Unparseable("an answer without a question");
                }
                if (body.isEmpty()) {
                    throw new Unparseable("an empty answer");
                }
                turns.add(Turn.human(pendingQuestion));
                turns.add(Turn.gpt(body));
                pendingQuestion = null;
            }
        }
        if (turns.size() / 2 < minPairs) {
            throw new Unparseable("only " + turns.size() / 2 + " complete question/answer pairs, need " + minPairs);
        }
        return withImageToken(turns);
    }

    /** A free-text description answering {@code instruction}. */
    public static List<Turn> description(String instruction, String reply) {
        if (reply == null || reply.isBlank()) {
            throw new Unparseable("empty reply");
        }
        String text = clean(reply.replace("\r\n", "\n"));
        if (LABEL.matcher(text).find()) {
            throw new Unparseable("a question/answer reply where a description was asked for");
        }
        if (text.length() < MIN_DESCRIPTION_CHARS) {
            throw new Unparseable("a description of only " + text.length() + " characters");
        }
        return withImageToken(List.of(Turn.human(instruction), Turn.gpt(text)));
    }

    private static List<Turn> withImageToken(List<Turn> turns) {
        List<Turn> out = new ArrayList<>(turns);
        out.set(0, Turn.human(Turn.IMAGE_TOKEN + "\n" + out.get(0).value()));
        return out;
    }

    private static String clean(String body) {
        return SEPARATOR.matcher(body).replaceAll("").strip();
    }
}
