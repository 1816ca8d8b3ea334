package io.vlitforge.generation.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The annotation-adaption task library, as data: YAML files (one per category) listing tasks, the kind of
 * rule that answers each, its parameters and its instruction templates. The shipped files are resources
 * under {@code tasks/library/} (listed in {@code index.txt}); a user adds or overrides tasks by putting
 * YAML files of the same shape in a folder ({@code vlit.adaption.library-dir}), without recompiling. A task
 * in a user file replaces the shipped task of the same name.
 *
 * <p>Loading checks what a running recipe would otherwise trip on: a known kind, at least one template,
 * no template twice, and no placeholder the kind does not fill.
 */
public final class TaskLibrary {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SLOT = Pattern.compile("\\{([a-z_]+)}");

    private final Map<String, TaskSpec> tasks;
    private final String hash;

    private TaskLibrary(Map<String, TaskSpec> tasks) {
        this.tasks = Map.copyOf(tasks);
        StringBuilder all = new StringBuilder();
        tasks.values().stream().sorted(java.util.Comparator.comparing(TaskSpec::name))
                .forEach(t -> all.append(t.definition()).append("\n\n"));
        this.hash = Ids.sha256Hex(all.toString());
    }

    /** The shipped library. */
    public static TaskLibrary shipped() {
        return load(Optional.empty());
    }

    /** The shipped library plus every {@code *.yaml}/{@code *.yml} file in {@code userDir}. */
    public static TaskLibrary load(Optional<Path> userDir) {
        Map<String, TaskSpec> tasks = new LinkedHashMap<>();
        for (String file : resourceLines("tasks/library/index.txt")) {
            String resource = "tasks/library/" + file;
            read(resourceText(resource), resource).forEach(t -> put(tasks, t, false));
        }
        if (userDir.isPresent()) {
            try (Stream<Path> files = Files.list(userDir.get())) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                        .sorted().toList()) {
                    read(Files.readString(file), file.toString()).forEach(t -> put(tasks, t, true));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the task folder " + userDir.get(), e);
            }
        }
        return new TaskLibrary(tasks);
    }

    private static void put(Map<String, TaskSpec> tasks, TaskSpec task, boolean override) {
        TaskSpec earlier = tasks.get(task.name());
        if (earlier != null && !override) {
            throw new IllegalArgumentException("task '" + task.name() + "' is defined twice (" + earlier.file() + ", "
                    + task.file() + ")");
        }
        tasks.put(task.name(), task);
    }

    /** Parses one task file; {@code where} names it in error messages. */
    static List<TaskSpec> read(String yaml, String where) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || !root.path("tasks").isArray()) {
            throw new IllegalArgumentException(where + ": a task file needs a 'tasks' list");
        }
        String fileCategory = root.path("category").asText(null);
        List<TaskSpec> out = new ArrayList<>();
        for (JsonNode t : root.path("tasks")) {
            String name = t.path("name").asText("");
            String at = where + ", task '" + name + "'";
            if (!name.matches("[a-z0-9_]+")) {
                throw new IllegalArgumentException(at + ": a task name is lower-case letters, digits and '_'");
            }
            String category = t.path("category").asText(fileCategory);
            if (category == null || category.isBlank()) {
                throw new IllegalArgumentException(at + ": no category");
            }
            String kindName = t.path("kind").asText("");
            TaskKind kind = TaskKinds.byName(kindName).orElseThrow(() -> new IllegalArgumentException(
                    at + ": unknown kind '" + kindName + "'; known: " + TaskKinds.names()));
            Map<String, String> params = new LinkedHashMap<>();
            t.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            List<String> templates = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (JsonNode template : t.path("templates")) {
                String text = template.asText().strip();
                if (!seen.add(text)) {
                    throw new IllegalArgumentException(at + ": template written twice: " + text);
                }
                Matcher m = SLOT.matcher(text);
                while (m.find()) {
                    if (!kind.slots().contains(m.group(1))) {
                        throw new IllegalArgumentException(at + ": template uses {" + m.group(1) + "}, kind '" + kindName
                                + "' fills " + kind.slots());
                    }
                }
                templates.add(text);
            }
            if (templates.isEmpty()) {
                throw new IllegalArgumentException(at + ": no templates");
            }
            out.add(new TaskSpec(name, category, kindName, t.path("description").asText(""), params, templates, where));
        }
        return out;
    }

    public Optional<TaskSpec> task(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    /** Every task, by category then name. */
    public List<TaskSpec> tasks() {
        return tasks.values().stream()
                .sorted(java.util.Comparator.comparing(TaskSpec::category).thenComparing(TaskSpec::name)).toList();
    }

    public String hash() {
        return hash;
    }

    static List<String> resourceLines(String resource) {
        List<String> lines = new ArrayList<>();
        for (String line : resourceText(resource).split("\n")) {
            if (!line.isBlank() && !line.strip().startsWith("#")) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    static String resourceText(String resource) {
        try (InputStream in = TaskLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
