package io.vlitforge.generation.selfinstruct;

import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.ids.Ids;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Recipe {@code minigpt4-stage2}: how MiniGPT-4 curated its second-stage data. A vision model describes
 * the image in detail; when the description is shorter than a configured number of tokens it is asked
 * to continue; a text model then repairs errors and repetition; rule filters drop what is still not a
 * usable description. The prompts are this project's own ({@code prompts/describe}, {@code prompts/repair}).
 * Describing and repairing are separate steps (the describe step drafts onto {@code descriptions.drafted},
 * the repair step makes the sample), so each runs and scales with its own model.
 */
public final class MiniGpt4Recipe {

    public static final String ID = "minigpt4-stage2";
    public static final String VERSION = "1";
    public static final String TASK = "minigpt4_description";
    public static final String CATEGORY = "description";

    private static final List<String> REFUSALS = List.of("i'm sorry", "i am sorry", "as an ai", "i cannot",
            "i can't", "unable to see", "no image");
    private static final int MIN_WORDS = 20;

    private final PromptSet describe = PromptSet.load("describe", "v1", "instruction.txt", "continue.txt",
            "questions.txt");
    private final PromptSet repair = PromptSet.load("repair", "v1");
    private final int minDescriptionTokens;
    private final String hash;

    public MiniGpt4Recipe(int minDescriptionTokens) {
        this.minDescriptionTokens = minDescriptionTokens;
        this.hash = Ids.sha256Hex(ID + "\n" + VERSION + "\nmin-tokens=" + minDescriptionTokens + "\n" + describe.hash()
                + "\n" + repair.hash());
    }

    public Recipe recipe() {
        return new Recipe(ID, VERSION, hash);
    }

    public PromptSet describePrompts() {
        return describe;
    }

    public PromptSet repairPrompts() {
        return repair;
    }

    /** The prompt hash recorded on samples: both prompt sets together. */
    public String promptHash() {
        return Ids.sha256Hex(describe.hash() + repair.hash());
    }

    public int minDescriptionTokens() {
        return minDescriptionTokens;
    }

    public long seed(String imageId) {
        return Ids.seedOf(imageId, ID, VERSION, TASK);
    }

    /** The human instruction a sample opens with, drawn from the image id. */
    public String question(String imageId) {
        List<String> questions = describe.lines("questions.txt");
        return questions.get((int) (seed(imageId) % questions.size()));
    }

    /** The id of an image's draft on {@code descriptions.drafted}: the same for every redelivery. */
    public String draftId(String imageId) {
        return Ids.sampleId(imageId, ID, VERSION, "describe", describe.id(), seed(imageId));
    }

    /**
     * The describe step's check before a draft is passed on: an empty answer or a refusal is rejected
     * there, so the repair model is never paid to polish it.
     */
    public Optional<String> draftViolation(String description) {
        if (description == null || description.isBlank()) {
            return Optional.of("the vision model returned an empty description");
        }
        return refusal(description);
    }

    /** MiniGPT-4's rule filters on the repaired text: the reason it fails, if it does. */
    public Optional<String> ruleViolation(String repaired) {
        if (repaired == null || repaired.isBlank()) {
            return Optional.of("empty description after repair");
        }
        Optional<String> refusal = refusal(repaired);
        if (refusal.isPresent()) {
            return refusal;
        }
        int words = repaired.strip().split("\\s+").length;
        if (words < MIN_WORDS) {
            return Optional.of("a description of only " + words + " words (at least " + MIN_WORDS + ")");
        }
        return Optional.empty();
    }

    private static Optional<String> refusal(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (String refusal : REFUSALS) {
            if (lower.contains(refusal)) {
                return Optional.of("the description contains a refusal (\"" + refusal + "\")");
            }
        }
        return Optional.empty();
    }
}
