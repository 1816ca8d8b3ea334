package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import java.util.Map;

/**
 * The checks every trainer's loader relies on: exactly one {@code <image>} token, leading the first
 * human turn; roles alternating human/gpt starting with human and ending with gpt; no empty turn. A
 * sample must also name its image and say how it was made, or its release could not credit it.
 * The first failed check decides the reason code.
 */
public final class FormatFilter implements SampleFilter {

    public static final String NAME = "format";
    public static final String VERSION = "1";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public Map<String, Object> parameters() {
        return Map.of("imageToken", Turn.IMAGE_TOKEN);
    }

    @Override
    public Verdict check(Sample sample) {
        List<Turn> turns = sample.conversations();
        if (turns.isEmpty()) {
            return reject("format.no_conversation", "the sample has no turns");
        }
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            String expected = i % 2 == 0 ? Turn.HUMAN : Turn.GPT;
            if (!expected.equals(turn.from())) {
                return reject("format.role_order", "turn " + i + " is from '" + turn.from() + "', expected '"
                        + expected + "': roles must alternate human/gpt starting with human");
            }
            if (turn.value() == null || turn.value().replace(Turn.IMAGE_TOKEN, "").isBlank()) {
                return reject("format.empty_turn", "turn " + i + " (" + turn.from() + ") has no text");
            }
        }
        if (turns.size() % 2 != 0) {
            return reject("format.role_order", "the conversation ends with a human turn that has no answer");
        }
        int tokens = 0;
        for (Turn turn : turns) {
            tokens += occurrences(turn.value(), Turn.IMAGE_TOKEN);
        }
        if (tokens != 1) {
            return reject("format.image_token_count", "found " + tokens + " " + Turn.IMAGE_TOKEN
                    + " tokens, expected exactly one");
        }
        String first = turns.get(0).value();
        if (!first.startsWith(Turn.IMAGE_TOKEN + "\n")) {
            return reject("format.image_token_position", "the first human turn must start with "
                    + Turn.IMAGE_TOKEN + " followed by a newline");
        }
        if (sample.imageKey() == null || sample.imageKey().isBlank()) {
            return reject("format.no_image", "the sample names no image");
        }
        if (sample.lineage() == null || sample.lineage().strategy() == null || sample.lineage().recipe() == null) {
            return reject("lineage.missing", "the sample does not say how it was made (strategy and recipe)");
        }
        return accept(1.0, 1.0);
    }

    private Verdict reject(String reason, String detail) {
        return reject(0.0, 1.0, reason, detail);
    }

    private static int occurrences(String text, String token) {
        int count = 0;
        for (int i = text.indexOf(token); i >= 0; i = text.indexOf(token, i + token.length())) {
            count++;
        }
        return count;
    }
}
