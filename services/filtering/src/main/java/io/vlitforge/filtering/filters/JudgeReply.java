package io.vlitforge.filtering.filters;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge model's reply read as a score from 1 to 10 and its reason. Models asked for JSON do not always
 * send only JSON: the object comes in a code fence, after a reasoning model's {@code <think>} block, with
 * single quotes, or as prose ("Score: 7/10. Reason: ..."). All of these are read; a reply with no score in
 * 1..10 is not guessed at but says why it could not be read ({@link #problem()}).
 */
public record JudgeReply(double score, String reason, String problem) {

    private static final int MAX_REASON = 500;
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES, JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .build();
    private static final Pattern THINK = Pattern.compile("(?is)<think>.*?(</think>|$)");
    private static final Pattern SCORE_KEY = Pattern.compile("(?i)(overall[_ ]?)?(score|rating|grade)");
    private static final Pattern REASON_KEY = Pattern.compile("(?i)reason|explanation|rationale|justification|comment");
    private static final Pattern SCORE_TEXT = Pattern.compile(
            "(?i)\\b(?:overall\\s+)?(?:score|rating|grade)\\**\\s*(?:[:=\\-]|is|of)?\\s*\\**\\s*(\\d{1,2}(?:\\.\\d+)?)"
                    + "(?:\\s*(?:/|out of)\\s*10)?");
    private static final Pattern LEADING_FRACTION = Pattern.compile("^\\W{0,3}(\\d{1,2}(?:\\.\\d+)?)\\s*(?:/|out of)\\s*10");
    private static final Pattern REASON_TEXT = Pattern.compile(
            "(?is)\\b(?:reason|explanation|rationale|justification)\\**\\s*[:=\\-]\\s*\\**\\s*(.+)");
    private static final Pattern NUMBER = Pattern.compile("^\\s*(\\d{1,2}(?:\\.\\d+)?)\\s*(?:(?:/|out of)\\s*10)?\\s*$");

    /** Whether a score in 1..10 was read. */
    public boolean scored() {
        return problem == null;
    }

    public static JudgeReply parse(String content) {
        if (content == null || content.isBlank()) {
            return unreadable("empty reply");
        }
        String text = THINK.matcher(content).replaceAll("").strip();
        JudgeReply fromJson = fromJson(text);
        if (fromJson != null) {
            return fromJson;
        }
        Matcher score = SCORE_TEXT.matcher(text);
        Matcher leading = LEADING_FRACTION.matcher(text);
        Matcher found = score.find() ? score : leading.find() ? leading : null;
        if (found == null) {
            return unreadable("no score in the reply");
        }
        double value = Double.parseDouble(found.group(1));
        Matcher reason = REASON_TEXT.matcher(text);
        // Without a "Reason:" label the reason is what follows a leading score, or else the whole reply.
        String why = reason.find() ? reason.group(1)
                : text.substring(0, found.start()).replaceAll("[\\W_]", "").isEmpty() ? text.substring(found.end())
                : text;
        return scored(value, why);
    }

    /** The first JSON object in the text that has a score field, or null when there is none. */
    private static JudgeReply fromJson(String text) {
        for (int start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
            int end = matchingBrace(text, start);
            if (end < 0) {
                return null;
            }
            JsonNode node;
            try {
                node = LENIENT.readTree(text.substring(start, end + 1));
            } catch (Exception notJson) {
                continue;
            }
            JsonNode score = field(node, SCORE_KEY);
            if (score == null) {
                continue;
            }
            Double value = score.isNumber() ? Double.valueOf(score.asDouble()) : number(score.asText());
            JsonNode reason = field(node, REASON_KEY);
            if (value == null) {
                return unreadable("score '" + snippet(score.asText(), 40) + "' is not a number");
            }
            return scored(value, reason == null ? "" : reason.isTextual() ? reason.asText() : reason.toString());
        }
        return null;
    }

    private static JsonNode field(JsonNode node, Pattern key) {
        if (node == null || !node.isObject()) {
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (key.matcher(e.getKey()).matches()) {
                return e.getValue();
            }
        }
        return null;
    }

    private static Double number(String text) {
        Matcher m = NUMBER.matcher(text == null ? "" : text);
        return m.matches() ? Double.valueOf(m.group(1)) : null;
    }

    /** The index of the brace closing the one at {@code open}, skipping braces inside strings; -1 if none. */
    private static int matchingBrace(String text, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static JudgeReply scored(double value, String reason) {
        if (value < 1 || value > 10 || Double.isNaN(value)) {
            return unreadable(String.format(Locale.ROOT, "score %s is outside 1..10", trim(value)));
        }
        String clean = reason.replaceAll("[*#`]+", "").replaceAll("\\s+", " ").replaceAll("^[\\s:\\-.,;]+", "");
        return new JudgeReply(value, snippet(clean, MAX_REASON), null);
    }

    private static JudgeReply unreadable(String problem) {
        return new JudgeReply(0.0, null, problem);
    }

    static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    static String snippet(String text, int max) {
        if (text == null) {
            return "";
        }
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }
}
