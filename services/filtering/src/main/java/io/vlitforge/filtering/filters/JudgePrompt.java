package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.model.ChatMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The judge's prompt, versioned like generation's prompts: {@code judge/<version>/system.txt} (what to
 * rate and the reply format) and {@code judge/<version>/user.txt} (a template filled with the sample's
 * task, ground truth and conversation). Its hash goes into the judge's version, so editing a prompt file
 * makes a new chain version and every verdict says which prompt scored it.
 */
public final class JudgePrompt {

    private final String version;
    private final String system;
    private final String user;
    private final String hash;

    JudgePrompt(String version, String system, String user) {
        this.version = version;
        this.system = system.strip();
        this.user = user.strip();
        this.hash = Ids.sha256Hex(this.system + "\n\u0000\n" + this.user).substring(0, 12);
    }

    /** Reads {@code judge/<version>/} from the classpath; a missing file stops the service at start. */
    public static JudgePrompt load(String version) {
        if (!version.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a judge prompt version is a folder name, got '" + version + "'");
        }
        return new JudgePrompt(version, read("judge/" + version + "/system.txt"),
                read("judge/" + version + "/user.txt"));
    }

    private static String read(String resource) {
        try (InputStream in = JudgePrompt.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("judge prompt " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String version() {
        return version;
    }

    /** The first 12 hex digits of the sha256 of both files. */
    public String hash() {
        return hash;
    }

    /** The system prompt and the sample rendered into the user template. */
    public List<ChatMessage> messages(Sample sample) {
        GroundTruth truth = sample.groundTruth();
        String rendered = user.replace("{{task}}", sample.task() == null ? "unknown" : sample.task())
                .replace("{{captions}}", captions(truth))
                .replace("{{objects}}", objects(truth))
                .replace("{{conversation}}", conversation(sample.conversations()));
        return List.of(ChatMessage.system(system), ChatMessage.user(rendered));
    }

    private static String captions(GroundTruth truth) {
        if (truth == null || truth.captions().isEmpty()) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        for (String caption : truth.captions()) {
            out.append(out.isEmpty() ? "" : "\n").append("- ").append(caption.strip());
        }
        return out.toString();
    }

    private static String objects(GroundTruth truth) {
        if (truth == null || truth.objectCounts().isEmpty()) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        // Sorted, so the same sample always makes the same request.
        for (Map.Entry<String, Integer> e : new TreeMap<>(truth.objectCounts()).entrySet()) {
            out.append(out.isEmpty() ? "" : "\n").append("- ").append(e.getKey()).append(": ").append(e.getValue());
        }
        return out.toString();
    }

    private static String conversation(List<Turn> turns) {
        StringBuilder out = new StringBuilder();
        for (Turn turn : turns) {
            String text = turn.value() == null ? "" : turn.value().replace(Turn.IMAGE_TOKEN, "").strip();
            out.append(out.isEmpty() ? "" : "\n\n").append(Turn.GPT.equals(turn.from()) ? "ASSISTANT: " : "USER: ")
                    .append(text);
        }
        return out.toString();
    }
}
