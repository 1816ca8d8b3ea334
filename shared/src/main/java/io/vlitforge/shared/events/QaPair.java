package io.vlitforge.shared.events;

import java.util.List;

/**
 * A question about the image with its ground-truth answers: VQA v2 (ten human answers, {@code answer} the
 * most common), GQA (one answer, a full-sentence answer in {@code fullAnswer}), OK-VQA/A-OKVQA
 * ({@code choices} and {@code correctChoice} for multiple choice), Visual Genome question answers.
 * {@code dataset} names where it came from; {@code answerType} is the source's type when it has one.
 */
public record QaPair(String question, String answer, List<String> answers, String fullAnswer, String answerType,
        List<String> choices, Integer correctChoice, String dataset, String sourceId) {

    public QaPair {
        answers = answers == null ? List.of() : List.copyOf(answers);
        choices = choices == null ? List.of() : List.copyOf(choices);
    }
}
