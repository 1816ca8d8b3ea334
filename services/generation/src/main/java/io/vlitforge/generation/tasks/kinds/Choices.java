package io.vlitforge.generation.tasks.kinds;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Multiple-choice options: the right one among distractors, in a seeded order, lettered A, B, C... */
final class Choices {

    private Choices() {
    }

    record Options(String text, String letter, List<String> order) {
    }

    /** {@code correct} placed among {@code distractors} (already distinct from it) in a seeded order. */
    static Options of(String correct, List<String> distractors, SplittableRandom random) {
        List<String> order = new ArrayList<>(distractors);
        order.add(random.nextInt(order.size() + 1), correct);
        StringBuilder text = new StringBuilder();
        String letter = null;
        for (int i = 0; i < order.size(); i++) {
            char l = (char) ('A' + i);
            if (i > 0) {
                text.append('\n');
            }
            text.append(l).append(". ").append(order.get(i));
            if (order.get(i).equals(correct)) {
                letter = String.valueOf(l);
            }
        }
        return new Options(text.toString(), letter, order);
    }

    /** Up to {@code n} items of {@code pool} in a seeded order. */
    static List<String> pick(List<String> pool, int n, SplittableRandom random) {
        List<String> copy = new ArrayList<>(pool);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            String t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return copy.subList(0, Math.min(n, copy.size()));
    }
}
