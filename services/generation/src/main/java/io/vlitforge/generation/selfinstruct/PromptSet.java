package io.vlitforge.generation.selfinstruct;

import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A versioned prompt set read from {@code prompts/<name>/<version>/} on the classpath: a system
 * message, few-shot seeds ({@code seed-N.context.txt} and {@code seed-N.reply.txt}) and any other named
 * text (instruction lists, continuation prompts). Its hash covers every file, and is recorded on each
 * sample, so that a changed word is visible in the lineage.
 */
public final class PromptSet {

    /** One few-shot example: the symbolic context shown and the reply wanted. */
    public record Seed(String context, String reply) {
    }

    private final String name;
    private final String version;
    private final String system;
    private final List<Seed> seeds;
    private final Map<String, String> texts;
    private final String hash;

    private PromptSet(String name, String version, String system, List<Seed> seeds, Map<String, String> texts) {
        this.name = name;
        this.version = version;
        this.system = system;
        this.seeds = List.copyOf(seeds);
        this.texts = Map.copyOf(texts);
        StringBuilder all = new StringBuilder(name).append('\n').append(version).append('\n').append(system);
        seeds.forEach(s -> all.append("\n--seed--\n").append(s.context).append("\n--reply--\n").append(s.reply));
        new java.util.TreeMap<>(texts).forEach((k, v) -> all.append("\n--").append(k).append("--\n").append(v));
        this.hash = Ids.sha256Hex(all.toString());
    }

    /** Loads {@code prompts/<name>/<version>/}; the named extra texts must exist. */
    public static PromptSet load(String name, String version, String... extraTexts) {
        String dir = "prompts/" + name + "/" + version + "/";
        String system = read(dir + "system.txt").orElse("");
        List<Seed> seeds = new ArrayList<>();
        for (int i = 1; ; i++) {
            Optional<String> context = read(dir + "seed-" + i + ".context.txt");
            if (context.isEmpty()) {
                break;
            }
            seeds.add(new Seed(context.get().strip(), read(dir + "seed-" + i + ".reply.txt")
                    .orElseThrow(() -> new IllegalStateException("a seed context without its reply in " + dir)).strip()));
        }
        Map<String, String> texts = new java.util.HashMap<>();
        for (String extra : extraTexts) {
            texts.put(extra, read(dir + extra).orElseThrow(() -> new IllegalStateException("missing " + dir + extra)));
        }
        return new PromptSet(name, version, system.strip(), seeds, texts);
    }

    private static Optional<String> read(String resource) {
        try (InputStream in = PromptSet.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read prompt resource " + resource, e);
        }
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** {@code name@version}: the template id recorded in a sample's lineage. */
    public String id() {
        return name + "@" + version;
    }

    public String system() {
        return system;
    }

    public List<Seed> seeds() {
        return seeds;
    }

    public String text(String name) {
        String text = texts.get(name);
        if (text == null) {
            throw new IllegalArgumentException("prompt set " + id() + " has no text " + name);
        }
        return text.strip();
    }

    /** The non-blank lines of a named text: an instruction list. */
    public List<String> lines(String name) {
        return text(name).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    public String hash() {
        return hash;
    }
}
