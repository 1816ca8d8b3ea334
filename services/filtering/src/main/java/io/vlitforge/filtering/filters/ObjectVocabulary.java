package io.vlitforge.filtering.filters;

import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The words the hallucination check knows as objects, read from a versioned resource file
 * ({@code hallucination/objects-v1.txt}) rather than code, so that what counts as a mention of a "dog" can be
 * read, reviewed and changed without touching the logic, and a change shows in the chain's version (the
 * file's hash is one of the filter's parameters). Besides the synonyms of the 80 COCO categories it holds the
 * lists that keep the check from flagging what is not an object asserted to be in the image: role nouns,
 * compound heads, words with other senses, colour names, phrases that are not objects, and what caption words
 * entail.
 */
public final class ObjectVocabulary {

    /** One surface form: the canonical object it names and whether the form is plural. */
    public record Form(String canonical, boolean plural) {
    }

    private final String resource;
    private final String hash;
    private final Map<String, Form> forms = new HashMap<>();
    private final Set<String> canonicals = new TreeSet<>();
    private final Set<String> roles = new HashSet<>();
    private final Set<String> compoundHeads = new HashSet<>();
    private final Set<String> needsDeterminer = new HashSet<>();
    private final Set<String> colours = new HashSet<>();
    private final Set<String> notObjects = new HashSet<>();
    private final Map<String, String> implies = new HashMap<>();
    /** The first word of every form and not-object phrase of two or more words. */
    private final Set<String> phraseStarts = new HashSet<>();
    private int maxWords = 1;

    private ObjectVocabulary(String resource, String text) {
        this.resource = resource;
        this.hash = Ids.sha256Hex(text).substring(0, 12);
        String section = null;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                continue;
            }
            if (section == null) {
                throw new IllegalArgumentException(resource + ": a line before any [section]: " + line);
            }
            switch (section) {
                case "objects" -> object(line);
                case "implies" -> {
                    String[] parts = line.split(":", 2);
                    implies.put(parts[0].strip().toLowerCase(Locale.ROOT), parts[1].strip().toLowerCase(Locale.ROOT));
                }
                case "roles" -> list(line).forEach(r -> {
                    roles.add(r);
                    roles.add(plural(r));
                });
                case "compound-heads" -> compoundHeads.addAll(list(line));
                case "needs-determiner" -> needsDeterminer.addAll(list(line));
                case "colours" -> colours.addAll(list(line));
                case "not-objects" -> list(line).forEach(p -> {
                    notObjects.add(p);
                    maxWords = Math.max(maxWords, p.split(" ").length);
                    phraseStart(p);
                });
                default -> throw new IllegalArgumentException(resource + ": unknown section [" + section + "]");
            }
        }
        for (String implied : implies.values()) {
            if (!canonicals.contains(implied)) {
                throw new IllegalArgumentException(resource + ": [implies] names an unknown object: " + implied);
            }
        }
    }

    /** Loads a vocabulary from the classpath. */
    public static ObjectVocabulary load(String resource) {
        try (InputStream in = ObjectVocabulary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("object vocabulary not found on the classpath: " + resource);
            }
            return new ObjectVocabulary(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void object(String line) {
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(resource + ": an object line needs 'canonical: forms': " + line);
        }
        String canonical = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        canonicals.add(canonical);
        for (String item : list(line.substring(colon + 1))) {
            int slash = item.indexOf('/');
            if (slash < 0) {
                put(item, new Form(canonical, false));
                put(plural(item), new Form(canonical, true));
            } else {
                String singular = item.substring(0, slash).strip();
                String plural = item.substring(slash + 1).strip();
                if (plural.isEmpty()) {
                    // A mass noun or a word that is already plural ("luggage", "people"): number-neutral.
                    put(singular, new Form(canonical, singular.endsWith("s") || singular.equals("people")));
                } else {
                    put(singular, new Form(canonical, singular.equals(plural)));
                    put(plural, new Form(canonical, true));
                }
            }
        }
    }

    private void put(String form, Form value) {
        Form earlier = forms.putIfAbsent(form, value);
        if (earlier != null && !earlier.canonical().equals(value.canonical())) {
            throw new IllegalArgumentException(resource + ": '" + form + "' names both " + earlier.canonical()
                    + " and " + value.canonical());
        }
        maxWords = Math.max(maxWords, form.split(" ").length);
        phraseStart(form);
    }

    private void phraseStart(String phrase) {
        int space = phrase.indexOf(' ');
        if (space > 0) {
            phraseStarts.add(phrase.substring(0, space));
        }
    }

    /**
     * Whether a form or not-object phrase of two or more words starts with this word: when none does, only the
     * word alone can be a form.
     */
    public boolean startsPhrase(String word) {
        return phraseStarts.contains(word);
    }

    private static List<String> list(String line) {
        List<String> out = new ArrayList<>();
        for (String item : line.split(",")) {
            String s = item.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The regular English plural of a form's last word. */
    static String plural(String form) {
        int space = form.lastIndexOf(' ');
        String head = form.substring(0, space + 1);
        String word = form.substring(space + 1);
        String plural;
        if (word.endsWith("s") || word.endsWith("x") || word.endsWith("z") || word.endsWith("ch")
                || word.endsWith("sh")) {
            plural = word + "es";
        } else if (word.endsWith("y") && word.length() > 1 && "aeiou".indexOf(word.charAt(word.length() - 2)) < 0) {
            plural = word.substring(0, word.length() - 1) + "ies";
        } else {
            plural = word + "s";
        }
        return head + plural;
    }

    /** The form spelled by these words (lower case, one space between), or null. */
    public Form form(String words) {
        return forms.get(words);
    }

    /** The canonical object of a ground-truth name (a box category or a Visual Genome name), or the name itself. */
    public String canonicalOf(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', ' ').replaceAll("\\s+", " ");
        Form form = forms.get(n);
        return form != null ? form.canonical() : n;
    }

    public int maxWords() {
        return maxWords;
    }

    public boolean isRole(String word) {
        return roles.contains(word);
    }

    public boolean isCompoundHead(String word) {
        return compoundHeads.contains(word);
    }

    public boolean needsDeterminer(String form) {
        return needsDeterminer.contains(form);
    }

    public boolean isColour(String form) {
        return colours.contains(form);
    }

    public boolean isNotObject(String words) {
        return notObjects.contains(words);
    }

    /** The object a caption word entails ("skiing" → skis), or null. */
    public String implied(String word) {
        return implies.get(word);
    }

    /** The canonical objects (the COCO category names). */
    public Set<String> canonicals() {
        return canonicals;
    }

    public String resource() {
        return resource;
    }

    /** The first 12 hex digits of the file's sha256. */
    public String hash() {
        return hash;
    }
}
