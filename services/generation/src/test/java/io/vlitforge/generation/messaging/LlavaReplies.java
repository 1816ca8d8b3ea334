package io.vlitforge.generation.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Realistic model replies for the stub endpoint: LLaVA's own seed answers (the replies GPT-4 gave in
 * the format LLaVA asked for) from {@code ../shared/fixtures/llava/prompts}, chosen by which prompt set
 * the request carries. A context containing {@link #UNANSWERABLE} gets a refusal, which no parser
 * accepts; the describe step gets a short first answer so that it must ask to continue; a description of
 * an image whose bytes start with {@link #UNREPAIRABLE_BYTES} carries a sentence the repair model refuses.
 * Requests to the in-context step are kept, so a test can read the prompt it was sent.
 */
final class LlavaReplies {

    static final String UNANSWERABLE = "unanswerable-scene";
    static final String REFUSAL = "Sorry, I cannot help with that.";
    static final String REPEATED = "A red bicycle stands in front of the boats.";
    static final String CONTINUATION = "Further back, a second bicycle leans near the middle of the dock, and a "
            + "person walks along the right side of the harbor. The water is calm and the sky is clear, giving "
            + "the scene a quiet, sunny atmosphere. " + REPEATED;

    static final String UNREPAIRABLE_BYTES = "unrepairable-image-bytes-00";
    static final String UNREPAIRABLE_SENTENCE = "Strange glyphs cover the lower half of the picture.";
    static final String REPAIR_REFUSAL = "I cannot repair a description of glyphs.";
    static final String UNREPAIRABLE_DATA = java.util.Base64.getEncoder()
            .encodeToString(UNREPAIRABLE_BYTES.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    /** Every request the in-context step sent, in arrival order. */
    static final List<JsonNode> IN_CONTEXT_REQUESTS = new java.util.concurrent.CopyOnWriteArrayList<>();

    private LlavaReplies() {
    }

    static List<String> seeds(String type) {
        Path dir = Fixtures.root().resolve("llava/prompts").resolve(type);
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith("_conv.txt")).sorted().map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String reply(JsonNode request) {
        JsonNode messages = request.path("messages");
        String system = messages.path(0).path("role").asText().equals("system")
                ? messages.path(0).path("content").asText() : "";
        JsonNode last = messages.path(messages.size() - 1);
        String user = last.path("content").isTextual() ? last.path("content").asText()
                : last.path("content").path(0).path("text").asText();
        String model = request.path("model").asText();
        if (model.equals("stub-describe")) {
            boolean marked = messages.toString().contains(UNANSWERABLE_DATA);
            if (marked) {
                return REFUSAL;
            }
            // The number of boats differs per image, so every image's repair request is a different one.
            int boats = 3 + Math.floorMod(messages.path(0).toString().hashCode(), 5000);
            String first = messages.toString().contains(UNREPAIRABLE_DATA)
                    ? firstDescription(boats) + " " + UNREPAIRABLE_SENTENCE : firstDescription(boats);
            return messages.size() == 1 ? first : CONTINUATION;
        }
        if (model.equals("stub-repair")) {
            return user.contains(UNREPAIRABLE_SENTENCE) ? REPAIR_REFUSAL : repaired(user);
        }
        if (model.equals("stub-in-context")) {
            IN_CONTEXT_REQUESTS.add(request);
        }
        if (user.contains(UNANSWERABLE)) {
            return REFUSAL;
        }
        String type = system.contains("Write a conversation") ? "conversation"
                : system.contains("Describe the photograph in detail") ? "detail_description" : "complex_reasoning";
        List<String> seeds = seeds(type);
        return seeds.get(Math.floorMod(user.hashCode(), seeds.size()));
    }

    /** The describe step's first answer: too short, so it is asked to continue. */
    static String firstDescription(int boats) {
        return "A harbor with " + boats + " white boats is docked next to a long building. " + REPEATED;
    }

    /** What the repair model does in the test: drops a sentence that repeats an earlier one. */
    static String repaired(String description) {
        StringBuilder out = new StringBuilder();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String sentence : description.split("(?<=\\.)\\s+")) {
            if (seen.add(sentence.strip())) {
                out.append(out.length() == 0 ? "" : " ").append(sentence.strip());
            }
        }
        return out.toString();
    }

    /** The image bytes of a marked image contain this text, so its data URL carries it base64-encoded. */
    static final String UNANSWERABLE_DATA = java.util.Base64.getEncoder()
            .encodeToString("unanswerable-image-bytes-00".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
}
