package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.generation.tasks.Vocabulary;
import io.vlitforge.shared.events.ImageIngested;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image-text matching with hard negatives. A hard negative is a real caption of the image with one object
 * that is there swapped for an object that is not, preferring one that shares a scene with it ("a dog on
 * the couch" becomes "a cat on the couch"), so the sentence stays fluent and only the image tells them apart.
 * {@code mode: positive} asks about a true caption (yes), {@code negative} about a hard negative (no),
 * {@code choose} offers the true caption among hard negatives and is answered with the option's letter.
 */
public final class MatchingKind implements TaskKind {

    @Override
    public String name() {
        return "matching";
    }

    @Override
    public Set<String> slots() {
        return Set.of("caption", "options");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        String mode = spec.param("mode", "positive");
        for (int i = 0; i < image.captions().size(); i++) {
            String caption = Text.sentence(image.captions().get(i));
            if (caption.isBlank()) {
                continue;
            }
            String key = "caption:" + i;
            SplittableRandom random = context.random(key);
            switch (mode) {
                case "positive" -> items.add(TaskItem.of(key, "Yes", "caption", caption));
                case "negative" -> negatives(image, caption, 1, random)
                        .forEach(n -> items.add(TaskItem.of(key, "No", "caption", n)));
                case "choose" -> {
                    List<String> negatives = negatives(image, caption, 3, random);
                    if (negatives.size() == 3) {
                        Choices.Options options = Choices.of(caption, negatives, random);
                        items.add(TaskItem.of(key, options.letter(), "options", options.text()));
                    }
                }
                default -> throw new IllegalArgumentException("matching mode '" + mode + "' unknown");
            }
        }
        return items;
    }

    /** Up to {@code n} distinct hard negatives of {@code caption}; none if it names no present object. */
    static List<String> negatives(ImageIngested image, String caption, int n, SplittableRandom random) {
        List<String> present = new ArrayList<>(Annotations.counts(image).keySet());
        Optional<Matcher> found = Optional.empty();
        String swapped = null;
        for (String object : present.stream().sorted(Comparator.comparing(String::length).reversed()).toList()) {
            Matcher m = Pattern.compile("\\b(" + Pattern.quote(object) + "|" + Pattern.quote(Text.noun(object, 2)) + ")\\b",
                    Pattern.CASE_INSENSITIVE).matcher(caption);
            if (m.find()) {
                found = Optional.of(m);
                swapped = object;
                break;
            }
        }
        if (found.isEmpty()) {
            return List.of();
        }
        Matcher m = found.get();
        boolean plural = !m.group(1).equalsIgnoreCase(swapped);
        Map<String, Integer> score = Vocabulary.get().coOccurring(List.of(swapped));
        List<String> absent = Vocabulary.get().objectsByFrequency().stream()
                .filter(o -> !Annotations.mentioned(image, o)).toList();
        List<String> near = absent.stream().filter(score::containsKey).toList();
        List<String> pool = near.size() >= n ? near : absent;
        List<String> out = new ArrayList<>();
        for (String replacement : Choices.pick(pool, n, random)) {
            String word = plural ? Text.noun(replacement, 2) : replacement;
            String before = caption.substring(0, m.start(1));
            String after = caption.substring(m.end(1));
            before = fixArticle(before, word);
            String text = before + word + after;
            out.add(Character.toUpperCase(text.charAt(0)) + text.substring(1));
        }
        return out;
    }

    private static String fixArticle(String before, String word) {
        Matcher a = Pattern.compile("(?i)\\b(a|an) $").matcher(before);
        if (!a.find()) {
            return before;
        }
        String article = "aeiou".indexOf(word.toLowerCase(Locale.ROOT).charAt(0)) >= 0 ? "an" : "a";
        if (Character.isUpperCase(a.group(1).charAt(0))) {
            article = Character.toUpperCase(article.charAt(0)) + article.substring(1);
        }
        return before.substring(0, a.start(1)) + article + " ";
    }
}
