package io.vlitforge.generation.selfinstruct;

import io.vlitforge.shared.model.ChatMessage;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Recipe {@code llava-instruct}: LLaVA-Instruct-158K's method. A text-only model is shown an image's
 * symbolic context (captions and normalised boxes) after a system message and few-shot seeds, and
 * writes one of three response types. Each image gets exactly one type, chosen from its id with the
 * 58:23:77 proportions, so the three steps (separate consumer groups, each reading every image) split
 * the images between them without talking to each other.
 */
public final class LlavaInstructRecipe {

    public static final String ID = "llava-instruct";
    public static final String VERSION = "1";

    private final Map<ResponseType, PromptSet> prompts = new EnumMap<>(ResponseType.class);
    private final boolean sceneGraph;
    private final String hash;

    public LlavaInstructRecipe(boolean sceneGraph) {
        this.sceneGraph = sceneGraph;
        prompts.put(ResponseType.CONVERSATION, PromptSet.load("conversation", "v1"));
        prompts.put(ResponseType.DETAIL, PromptSet.load("detail", "v1", "questions.txt"));
        prompts.put(ResponseType.REASONING, PromptSet.load("reasoning", "v1"));
        StringBuilder definition = new StringBuilder(ID).append('\n').append(VERSION).append("\nscene-graph=")
                .append(sceneGraph);
        for (ResponseType type : ResponseType.values()) {
            definition.append('\n').append(type.step()).append('=').append(type.weight()).append(':')
                    .append(prompts.get(type).hash());
        }
        this.hash = Ids.sha256Hex(definition.toString());
    }

    public Recipe recipe() {
        return new Recipe(ID, VERSION, hash);
    }

    /** Whether contexts carry Visual Genome attributes, relations and regions. */
    public boolean sceneGraph() {
        return sceneGraph;
    }

    /** The image's symbolic context, exactly as the model is shown it. */
    public String context(ImageIngested image) {
        return SymbolicContext.of(image, sceneGraph);
    }

    public PromptSet prompts(ResponseType type) {
        return prompts.get(type);
    }

    /** The one response type this image gets: a deterministic draw with the 58:23:77 weights. */
    public ResponseType typeFor(String imageId) {
        int total = 0;
        for (ResponseType t : ResponseType.values()) {
            total += t.weight();
        }
        long draw = Ids.seedOf(imageId, ID, VERSION, "response-type") % total;
        for (ResponseType t : ResponseType.values()) {
            if (draw < t.weight()) {
                return t;
            }
            draw -= t.weight();
        }
        throw new IllegalStateException("unreachable");
    }

    public long seed(String imageId, ResponseType type) {
        return Ids.seedOf(imageId, ID, VERSION, type.task());
    }

    /** Whether an image has anything for a text-only model to work from. */
    public boolean hasContext(ImageIngested image) {
        return !image.captions().isEmpty() || !image.boxes().isEmpty();
    }

    /** System message, the seeds as user/assistant turns, then the image's context. */
    public List<ChatMessage> messages(ResponseType type, ImageIngested image) {
        PromptSet set = prompts.get(type);
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(set.system()));
        for (PromptSet.Seed seed : set.seeds()) {
            messages.add(ChatMessage.user(seed.context()));
            messages.add(ChatMessage.assistant(seed.reply()));
        }
        messages.add(ChatMessage.user(context(image)));
        return messages;
    }

    /** The reply as turns; throws {@link ReplyParser.Unparseable} with the reason. */
    public List<Turn> parse(ResponseType type, String imageId, String reply) {
        return switch (type) {
            case CONVERSATION -> ReplyParser.questionsAndAnswers(reply, 1);
            case REASONING -> ReplyParser.questionsAndAnswers(reply, 1);
            case DETAIL -> {
                List<String> questions = prompts.get(type).lines("questions.txt");
                yield ReplyParser.description(questions.get((int) (seed(imageId, type) % questions.size())), reply);
            }
        };
    }
}
