package io.vlitforge.generation.tasks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small English helpers for template answers: sentences, plurals, numbers and lists. */
public final class Text {

    private static final Map<String, String> IRREGULAR_PLURALS = Map.ofEntries(
            Map.entry("person", "people"), Map.entry("sheep", "sheep"), Map.entry("mouse", "mice"),
            Map.entry("knife", "knives"), Map.entry("skis", "skis"), Map.entry("scissors", "scissors"),
            Map.entry("skateboard", "skateboards"), Map.entry("child", "children"), Map.entry("man", "men"),
            Map.entry("woman", "women"), Map.entry("shelf", "shelves"), Map.entry("leaf", "leaves"));
    private static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven",
        "eight", "nine", "ten", "eleven", "twelve"};

    private Text() {
    }

    /** Trims, capitalises the first letter and ends with a full stop, keeping the annotator's words. */
    public static String sentence(String text) {
        String s = text.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
            return s;
        }
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        char last = s.charAt(s.length() - 1);
        return last == '.' || last == '!' || last == '?' ? s : s + ".";
    }

    /** The noun for a count; multi-word names pluralise their last word ("wine glass" -> "wine glasses"). */
    public static String noun(String category, int count) {
        String name = category.strip().toLowerCase(Locale.ROOT);
        if (count == 1) {
            return name;
        }
        int space = name.lastIndexOf(' ');
        String head = space < 0 ? "" : name.substring(0, space + 1);
        return head + plural(name.substring(space + 1));
    }

    static String plural(String word) {
        String irregular = IRREGULAR_PLURALS.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (word.endsWith("s") || word.endsWith("x") || word.endsWith("ch") || word.endsWith("sh")) {
            return word + "es";
        }
        if (word.endsWith("y") && word.length() > 1 && "aeiou".indexOf(word.charAt(word.length() - 2)) < 0) {
            return word.substring(0, word.length() - 1) + "ies";
        }
        return word + "s";
    }

    /** The noun with "a" or "an" ("an apple", "a dog"). */
    public static String article(String noun) {
        String n = noun.strip();
        return (!n.isEmpty() && "aeiou".indexOf(Character.toLowerCase(n.charAt(0))) >= 0 ? "an " : "a ") + n;
    }

    public static String number(int n) {
        return n >= 0 && n < NUMBERS.length ? NUMBERS[n] : Integer.toString(n);
    }

    public static String list(List<String> parts) {
        if (parts.size() <= 1) {
            return parts.isEmpty() ? "" : parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }
}
