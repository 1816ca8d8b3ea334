package io.vlitforge.generation.selfinstruct;

import io.vlitforge.shared.model.ChatMessage;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Recipe {@code llava-instruct-in-context}: LLaVA's three response types, with the few-shot examples
 * drawn from samples filtering has already accepted instead of the fixed seeds, as Otter's MIMIC-IT
 * pipeline grew its in-context examples from its own curated data. Each image gets the response type
 * {@link LlavaInstructRecipe#typeFor} gives it, and {@code k} accepted examples of that type chosen from
 * its id; while the pool has none of that type, the static seeds stand in. The examples' sample ids and
 * the hash of the exact few-shot prompt go into the sample's lineage.
 */
public final class InContextRecipe {

    public static final String ID = "llava-instruct-in-context";
    public static final String VERSION = "1";
    /** The step (endpoint configuration, metrics tag, rejection records) of this recipe. */
    public static final String STEP = "in-context";
    /** {@code example_source} when the examples came from the accepted pool, or from the static seeds. */
    public static final String FROM_POOL = "accepted";
    public static final String FROM_SEEDS = "static-seeds";

    /** One few-shot example: the context shown, the reply wanted, and which accepted sample it is. */
    public record Example(String sampleId, String context, String reply) {
    }

    private final LlavaInstructRecipe llava;
    private final int examples;
    private final String hash;

    public InContextRecipe(LlavaInstructRecipe llava, int examples) {
        if (examples < 1) {
            throw new IllegalArgumentException("vlit.generation.in-context.examples must be at least 1, got " + examples);
        }
        this.llava = llava;
        this.examples = examples;
        this.hash = Ids.sha256Hex(ID + "\n" + VERSION + "\nexamples=" + examples + "\n" + llava.recipe().hash());
    }

    public Recipe recipe() {
        return new Recipe(ID, VERSION, hash);
    }

    public LlavaInstructRecipe llava() {
        return llava;
    }

    /** How many examples a request shows. */
    public int examples() {
        return examples;
    }

    /** The tasks whose accepted samples can be examples: LLaVA's three types. */
    public static Set<String> exampleTasks() {
        Set<String> tasks = new java.util.TreeSet<>();
        for (ResponseType t : ResponseType.values()) {
            tasks.add(t.task());
        }
        return tasks;
    }

    /** Where in the pool an image's examples start: a draw from its id, so a re-run picks the same ones. */
    public long exampleSeed(String imageId) {
        return Ids.seedOf(imageId, ID, VERSION, "examples");
    }

    /** A pool entry's place in the draw order: a hash of its sample id. */
    public static long rankKey(String sampleId) {
        return Ids.seedOf(sampleId, ID, "rank");
    }

    public long seed(String imageId, ResponseType type) {
        return Ids.seedOf(imageId, ID, VERSION, type.task());
    }

    /** The template id on the sample: this recipe's use of the type's prompt set. */
    public String templateId(ResponseType type) {
        return STEP + "/" + llava.prompts(type).id();
    }

    /** The static seeds of a type as examples (no sample ids: they are not samples). */
    public List<Example> seedExamples(ResponseType type) {
        List<Example> out = new ArrayList<>();
        List<PromptSet.Seed> seeds = llava.prompts(type).seeds();
        for (int i = 0; i < seeds.size(); i++) {
            out.add(new Example("seed-" + (i + 1), seeds.get(i).context(), seeds.get(i).reply()));
        }
        return out;
    }

    /** System message, each example as a user/assistant pair, then the image's context. */
    public List<ChatMessage> messages(ResponseType type, ImageIngested image, List<Example> shown) {
        List<ChatMessage> messages = new ArrayList<>(fewShot(type, shown));
        messages.add(ChatMessage.user(SymbolicContext.of(image, llava.sceneGraph())));
        return messages;
    }

    /**
     * The hash recorded as the sample's prompt hash: the system message and every example exactly as sent,
     * so two samples share it only when the model saw the same instructions and examples.
     */
    public String promptHash(ResponseType type, List<Example> shown) {
        StringBuilder all = new StringBuilder(ID).append('\n').append(VERSION).append('\n')
                .append(llava.prompts(type).hash());
        for (ChatMessage m : fewShot(type, shown)) {
            all.append("\n--").append(m.role()).append("--\n").append(m.text());
        }
        return Ids.sha256Hex(all.toString());
    }

    private List<ChatMessage> fewShot(ResponseType type, List<Example> shown) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(llava.prompts(type).system()));
        for (Example e : shown) {
            messages.add(ChatMessage.user(e.context()));
            messages.add(ChatMessage.assistant(e.reply()));
        }
        return messages;
    }

    /**
     * An accepted sample's conversation written back as the reply the model was asked for: LLaVA's
     * {@code Question:/Answer:} blocks separated by {@code ===} for conversations and reasoning, the
     * description alone for a detailed description. Empty when the sample has no usable turns.
     */
    public static Optional<String> reply(String task, List<Turn> turns) {
        if (turns == null || turns.size() < 2) {
            return Optional.empty();
        }
        if (ResponseType.DETAIL.task().equals(task)) {
            String answer = turns.get(1).value();
            return answer == null || answer.isBlank() ? Optional.empty() : Optional.of(answer.strip());
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i + 1 < turns.size(); i += 2) {
            String question = stripImageToken(turns.get(i).value());
            String answer = turns.get(i + 1).value();
            if (question.isBlank() || answer == null || answer.isBlank()) {
                return Optional.empty();
            }
            if (out.length() > 0) {
                out.append("\n===\n");
            }
            out.append("Question:\n").append(question.strip()).append("\n===\nAnswer:\n").append(answer.strip());
        }
        return Optional.of(out.toString());
    }

    /**
     * The context of an accepted sample whose symbolic context generation did not keep (made elsewhere, or
     * before contexts were kept): its captions and, from its ground truth, one {@code category: N objects}
     * line per object name.
     */
    public static String contextFromGroundTruth(GroundTruth truth) {
        if (truth == null) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        truth.captions().stream().filter(c -> c != null && !c.isBlank()).forEach(c -> text.append(c.strip()).append('\n'));
        if (!truth.objectCounts().isEmpty()) {
            text.append('\n');
            for (Map.Entry<String, Integer> e : new java.util.TreeMap<>(truth.objectCounts()).entrySet()) {
                text.append(e.getKey()).append(": ").append(e.getValue()).append(e.getValue() == 1 ? " object" : " objects")
                        .append('\n');
            }
        }
        return text.toString().strip();
    }

    private static String stripImageToken(String text) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        if (t.startsWith(Turn.IMAGE_TOKEN)) {
            t = t.substring(Turn.IMAGE_TOKEN.length()).strip();
        } else if (t.endsWith(Turn.IMAGE_TOKEN)) {
            t = t.substring(0, t.length() - Turn.IMAGE_TOKEN.length()).strip();
        }
        return t;
    }
}
