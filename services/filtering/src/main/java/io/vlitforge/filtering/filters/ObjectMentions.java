package io.vlitforge.filtering.filters;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds the object words of a text and tells an object asserted to be in the image from the other uses of
 * the same word. Plain CHAIR counts every synonym; on LLaVA's GPT-4 replies that flags about one in ten and
 * none of those flags is a hallucination: the words were generic or hypothetical ("protect people from
 * sunlight"), implied roles ("the driver has parked"), modifiers ("passenger airplanes", "remote area"),
 * other senses (the colour orange, "tie up"), parts of a longer name ("toilet bowl") or negated ("there is
 * no dog"). Every mention found is kept with its {@link Kind}, so the evidence can show why a word did not
 * count; only {@link Kind#ASSERTED} mentions are checked against the ground truth.
 * <p>
 * The rules work on words and clauses, without a parser: a clause ends at punctuation or a contrastive
 * conjunction. A mention is asserted when it is not negated earlier in its clause, its clause is not
 * hypothetical or generic (a modal other than "can be seen", a condition, a habitual adverb, a purpose
 * infinitive before it), and it is either specific (a determiner, number or possessive before it) or its
 * clause places it in the picture ("there are", "in the image", "visible").
 */
public final class ObjectMentions {

    /** Why a mention counts or does not. */
    public enum Kind {
        /** Said to be in the image: checked against the ground truth. */
        ASSERTED,
        /** "no dog", "without a dog", "isn't a dog". */
        NEGATED,
        /** In a conditional, modal or habitual clause, or after a purpose infinitive. */
        HYPOTHETICAL,
        /** A bare noun in a clause that does not place it in the image ("protect people from sunlight"). */
        GENERIC,
        /** A role that is implied rather than shown ("the driver", "buyers"). */
        ROLE,
        /** The first noun of a compound ("passenger airplane", "remote area", "dog food"). */
        MODIFIER,
        /** Another sense of the word: a verb ("tie up"), an adjective or a colour ("orange"). */
        OTHER_SENSE
    }

    /** One object word: the words as written, the canonical object, the claimed number if any, its kind. */
    public record Mention(String words, String canonical, int number, Kind kind, int start, int end) {
    }

    /** The punctuation marks that are tokens of their own (they end clauses, except the double quote). */
    private static final String PUNCTUATION = ".,;:!?()\"[]";
    private static final Set<String> DETERMINERS = Set.of("a", "an", "the", "this", "that", "these", "those", "his",
            "her", "its", "their", "our", "my", "your", "some", "several", "many", "multiple", "various", "numerous",
            "few", "another", "other", "both", "each", "every", "any", "couple", "pair", "group", "lot", "lots",
            "plenty", "bunch", "number", "single", "total", "herd", "flock", "row", "line", "set", "team", "crowd",
            "stack", "pile", "plate", "dozen", "dozens");
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(Map.entry("one", 1), Map.entry("two", 2),
            Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6),
            Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10),
            Map.entry("eleven", 11), Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14),
            Map.entry("fifteen", 15), Map.entry("sixteen", 16), Map.entry("seventeen", 17),
            Map.entry("eighteen", 18), Map.entry("nineteen", 19), Map.entry("twenty", 20));
    /** Words a noun phrase does not reach back across when looking for its determiner. */
    private static final Set<String> PHRASE_BREAKS = Set.of("is", "are", "was", "were", "be", "been", "being", "has",
            "have", "had", "to", "for", "from", "with", "in", "on", "at", "by", "near", "and", "or", "into", "onto",
            "like", "as", "than", "about", "under", "over", "behind", "beside", "between", "through", "which", "who",
            "using", "use", "uses", "protect", "protects", "attract", "attracts", "involves", "involve", "includes",
            "include", "including");
    private static final Set<String> CLAUSE_BREAKS = Set.of("but", "while", "whereas", "although", "though",
            "however", "yet");
    private static final Set<String> NEGATIONS = Set.of("no", "not", "never", "without", "none", "neither", "nor",
            "nothing", "nobody", "absence", "lack", "lacks", "lacking", "cannot");
    private static final Set<String> MODALS = Set.of("would", "could", "should", "might", "may", "must", "can",
            "will", "shall");
    private static final Set<String> PERCEPTION = Set.of("seen", "see", "spotted", "spot", "observed", "observe",
            "noticed", "notice", "found", "identified", "identify", "visible", "glimpsed", "made", "distinguished");
    private static final Set<String> HYPOTHETICAL = Set.of("if", "unless", "whether", "suppose", "supposing",
            "imagine", "typically", "typical", "usually", "usual", "often", "generally", "commonly", "normally",
            "frequently", "sometimes", "tend", "tends", "such", "ideal", "ideally", "perhaps");
    private static final Set<String> DEICTIC = Set.of("there", "there's", "image", "photo", "photograph", "picture",
            "scene", "background", "foreground", "visible", "seen", "shows", "showing", "show", "depicts",
            "depicting", "features", "featuring", "displays", "displayed", "present", "captured", "frame", "shot");
    /** After a colour word used as a noun ("an orange on the plate"): what may follow it. */
    private static final Set<String> AFTER_NOUN = Set.of("is", "are", "was", "were", "on", "in", "at", "with",
            "next", "sitting", "sits", "lying", "lies", "placed", "near", "beside", "that", "which", "from", "has",
            "and", "or", "of", "to", "by");
    /** Words after "to" that do not make it an infinitive ("to be", "to them"). */
    private static final Set<String> NOT_INFINITIVES = Set.of("be", "have", "him", "her", "them", "it", "me", "us",
            "you", "one", "where", "what");
    private static final Set<String> COLOUR_WORDS = Set.of("white", "black", "red", "blue", "green", "yellow",
            "brown", "grey", "gray", "pink", "purple", "orange", "silver", "gold", "beige", "tan");

    private final ObjectVocabulary vocabulary;
    /**
     * The last text looked at and its mentions: the hallucination and the complexity filter both read every
     * answer's mentions, one right after the other, so the second gets the first one's. Replaced whole (an
     * immutable pair), so threads sharing the chain never see half of one.
     */
    private volatile Found last;

    private record Found(String text, List<Mention> mentions) {
    }

    public ObjectMentions(ObjectVocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** A word or punctuation mark, its position in the text and the clause it belongs to. */
    private record Token(String text, String base, boolean punct, int start, int end, int clause) {
    }

    /** Every object mention in the text, in order, each with its kind (an unmodifiable list). */
    public List<Mention> find(String text) {
        Found found = last;
        if (found != null && found.text().equals(text)) {
            return found.mentions();
        }
        List<Mention> mentions = List.copyOf(mentionsOf(text));
        last = new Found(text, mentions);
        return mentions;
    }

    private List<Mention> mentionsOf(String text) {
        List<Token> tokens = tokenize(text);
        List<Mention> mentions = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            Token t = tokens.get(i);
            if (t.punct()) {
                i++;
                continue;
            }
            int skip = notObject(tokens, i);
            if (skip > 0) {
                i += skip;
                continue;
            }
            int n = wordsFrom(tokens, i, maxWords(t));
            boolean matched = false;
            for (; n >= 1; n--) {
                String words = join(tokens, i, n);
                ObjectVocabulary.Form form = vocabulary.form(words);
                if (form == null) {
                    continue;
                }
                Kind kind = classify(tokens, i, n, words, form);
                int number = kind == Kind.ASSERTED ? number(tokens, i) : 0;
                mentions.add(new Mention(words, form.canonical(), number, kind, tokens.get(i).start(),
                        tokens.get(i + n - 1).end()));
                i += n;
                matched = true;
                break;
            }
            if (!matched) {
                if (vocabulary.isRole(t.base())) {
                    mentions.add(new Mention(t.base(), "person", 0, Kind.ROLE, t.start(), t.end()));
                }
                i++;
            }
        }
        return mentions;
    }

    private Kind classify(List<Token> tokens, int at, int n, String words, ObjectVocabulary.Form form) {
        Token next = at + n < tokens.size() ? tokens.get(at + n) : null;
        boolean nextWord = next != null && !next.punct() && next.clause() == tokens.get(at).clause();
        boolean determined = determined(tokens, at);
        if (n == 1 && !form.plural() && vocabulary.needsDeterminer(words) && !determined) {
            return Kind.OTHER_SENSE;
        }
        if (vocabulary.isColour(words) && !form.plural() && !(determined && nounEnds(tokens, at + 1))) {
            return Kind.OTHER_SENSE;
        }
        if (!form.plural() && nextWord && !tokens.get(at + n - 1).text().endsWith("'s")
                && (vocabulary.isCompoundHead(next.base()) || startsObject(tokens, at + n))) {
            return Kind.MODIFIER;
        }
        if (negated(tokens, at)) {
            return Kind.NEGATED;
        }
        if (hypothetical(tokens, at)) {
            return Kind.HYPOTHETICAL;
        }
        if (!determined && !deictic(tokens, at, n)) {
            return Kind.GENERIC;
        }
        return Kind.ASSERTED;
    }

    /** A determiner, number or possessive before the noun, across at most two modifiers in its phrase. */
    private static boolean determined(List<Token> tokens, int at) {
        int clause = tokens.get(at).clause();
        for (int j = at - 1; j >= Math.max(0, at - 4); j--) {
            Token t = tokens.get(j);
            if (t.punct() || t.clause() != clause) {
                return false;
            }
            if ((t.text().equals("and") || t.text().equals("or")) && j > 0
                    && COLOUR_WORDS.contains(tokens.get(j - 1).text())
                    && COLOUR_WORDS.contains(tokens.get(j + 1).text())) {
                continue; // "a black and white dog"
            }
            if (DETERMINERS.contains(t.text()) || NUMBERS.containsKey(t.text()) || digits(t.text(), Integer.MAX_VALUE)
                    || t.text().endsWith("'s")) {
                return true;
            }
            if (PHRASE_BREAKS.contains(t.text())) {
                return false;
            }
        }
        return false;
    }

    /** The number right before the noun (across at most one modifier), or 0. */
    private static int number(List<Token> tokens, int at) {
        int clause = tokens.get(at).clause();
        for (int j = at - 1; j >= Math.max(0, at - 2); j--) {
            Token t = tokens.get(j);
            if (t.punct() || t.clause() != clause || PHRASE_BREAKS.contains(t.text())) {
                return 0;
            }
            Integer n = NUMBERS.get(t.text());
            if (n == null && digits(t.text(), 3)) {
                n = Integer.parseInt(t.text());
            }
            if (n != null) {
                return n;
            }
            if (DETERMINERS.contains(t.text())) {
                return 0;
            }
        }
        return 0;
    }

    /** A negation earlier in the clause ("no, ..." answering a question is not one). */
    private static boolean negated(List<Token> tokens, int at) {
        int clause = tokens.get(at).clause();
        for (int j = at - 1; j >= 0 && tokens.get(j).clause() == clause; j--) {
            String w = tokens.get(j).text();
            if (NEGATIONS.contains(w) || w.endsWith("n't")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A clause that does not say what is in the picture: a condition, a modal (except "can be seen"), a
     * habitual adverb anywhere in it, or a purpose infinitive ("to protect") before the mention.
     */
    private boolean hypothetical(List<Token> tokens, int at) {
        int clause = tokens.get(at).clause();
        for (int j = 0; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (t.clause() != clause || t.punct()) {
                continue;
            }
            String w = t.text();
            if (HYPOTHETICAL.contains(w)) {
                return true;
            }
            if (MODALS.contains(w) && !perception(tokens, j)) {
                return true;
            }
            if (j < at && w.equals("to") && infinitive(tokens, j + 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean perception(List<Token> tokens, int modal) {
        for (int j = modal + 1; j < Math.min(tokens.size(), modal + 4); j++) {
            if (PERCEPTION.contains(tokens.get(j).text())) {
                return true;
            }
        }
        return false;
    }

    /** "to" followed by a verb: not a determiner, number, pronoun or object word, and not "be"/"have". */
    private boolean infinitive(List<Token> tokens, int at) {
        if (at >= tokens.size() || tokens.get(at).punct()) {
            return false;
        }
        String w = tokens.get(at).text();
        return !DETERMINERS.contains(w) && !NUMBERS.containsKey(w) && !digits(w, Integer.MAX_VALUE)
                && !NOT_INFINITIVES.contains(w) && !startsObject(tokens, at) && !w.endsWith("'s")
                && !COLOUR_WORDS.contains(w);
    }

    private static boolean deictic(List<Token> tokens, int at, int n) {
        int clause = tokens.get(at).clause();
        for (Token t : tokens) {
            if (t.clause() == clause && DEICTIC.contains(t.text())) {
                return true;
            }
        }
        // A bare plural opening its clause and doing something now: "Dogs are playing in the snow."
        int first = at;
        while (first > 0 && tokens.get(first - 1).clause() == clause && !tokens.get(first - 1).punct()) {
            first--;
        }
        if (first == at && at + n + 1 < tokens.size()) {
            String be = tokens.get(at + n).text();
            String verb = tokens.get(at + n + 1).text();
            return (be.equals("are") || be.equals("is")) && verb.endsWith("ing");
        }
        return false;
    }

    /** After a colour word: the end of the clause or a word that cannot be the noun it modifies. */
    private static boolean nounEnds(List<Token> tokens, int at) {
        if (at >= tokens.size() || tokens.get(at).punct()) {
            return true;
        }
        String w = tokens.get(at).text();
        if (w.equals("and") || w.equals("or")) {
            return at + 1 >= tokens.size() || !COLOUR_WORDS.contains(tokens.get(at + 1).text());
        }
        return AFTER_NOUN.contains(w);
    }

    private boolean startsObject(List<Token> tokens, int at) {
        int n = wordsFrom(tokens, at, maxWords(tokens.get(at)));
        for (; n >= 1; n--) {
            if (vocabulary.form(join(tokens, at, n)) != null) {
                return true;
            }
        }
        return false;
    }

    private int notObject(List<Token> tokens, int at) {
        int n = wordsFrom(tokens, at, maxWords(tokens.get(at)));
        for (; n >= 2; n--) {
            if (vocabulary.isNotObject(join(tokens, at, n))) {
                return n;
            }
        }
        return 0;
    }

    /**
     * The most words a form or phrase starting at this token can have: one unless the token is the first word
     * of a phrase of the vocabulary, so the longer word runs are only joined and looked up where one can match.
     */
    private int maxWords(Token first) {
        return vocabulary.startsPhrase(first.text()) ? vocabulary.maxWords() : 1;
    }

    /** One to {@code max} ASCII digits and nothing else (what {@code \\d+} and {@code \\d{1,3}} match). */
    private static boolean digits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The words from {@code at} up to the next punctuation mark, at most {@code limit}. */
    private static int wordsFrom(List<Token> tokens, int at, int limit) {
        int n = 0;
        while (n < limit && at + n < tokens.size() && !tokens.get(at + n).punct()) {
            n++;
        }
        return n;
    }

    /** The words joined by spaces; a possessive "'s" on the last word is dropped ("the man's face"). */
    private static String join(List<Token> tokens, int at, int n) {
        if (n == 1) {
            return tokens.get(at).base();
        }
        StringBuilder sb = new StringBuilder(16 * n);
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                sb.append(' ');
            }
            sb.append(k == n - 1 ? tokens.get(at + k).base() : tokens.get(at + k).text());
        }
        return sb.toString();
    }

    /**
     * The words and punctuation marks of the text as written (offsets stay valid; lower-casing could change a
     * string's length): a word is a run of ASCII letters and digits, joined across single hyphens and
     * apostrophes ("t-shirt", "man's"); anything else that is not one of {@link #PUNCTUATION} is skipped. A
     * hand-written scanner for what was the pattern {@code [a-z0-9]+(?:[-'][a-z0-9]+)*|[.,;:!?()"\[\]]}
     * (case-insensitive, ASCII): the same tokens without a regex engine.
     */
    private static List<Token> tokenize(String text) {
        String plain = text.replace('\u2019', '\'');
        List<Token> tokens = new ArrayList<>();
        int clause = 0;
        int length = plain.length();
        int i = 0;
        while (i < length) {
            char c = plain.charAt(i);
            int start = i;
            int end;
            if (asciiLetterOrDigit(c)) {
                end = run(plain, i);
                while (end + 1 < length && (plain.charAt(end) == '-' || plain.charAt(end) == '\'')
                        && asciiLetterOrDigit(plain.charAt(end + 1))) {
                    end = run(plain, end + 1);
                }
            } else if (PUNCTUATION.indexOf(c) >= 0) {
                end = i + 1;
            } else {
                i++;
                continue;
            }
            i = end;
            String t = plain.substring(start, end).toLowerCase(Locale.ROOT);
            boolean punct = !Character.isLetterOrDigit(t.charAt(0));
            boolean decimal = t.equals(".") && start > 0 && end < length
                    && Character.isDigit(plain.charAt(start - 1)) && Character.isDigit(plain.charAt(end));
            if ((punct && !t.equals("\"") && !decimal) || CLAUSE_BREAKS.contains(t)) {
                clause++;
            }
            String base = t.endsWith("'s") ? t.substring(0, t.length() - 2) : t;
            tokens.add(new Token(t, base, punct, start, end, clause));
            if (punct) {
                clause++;
            }
        }
        return tokens;
    }

    private static boolean asciiLetterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** The end of the run of ASCII letters and digits starting at {@code from}. */
    private static int run(String text, int from) {
        int end = from;
        while (end < text.length() && asciiLetterOrDigit(text.charAt(end))) {
            end++;
        }
        return end;
    }
}
