package io.vlitforge.generation.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.boxes.BoxText;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * An adaption recipe, read from YAML: which tasks of the library run, with what weight (the share of an
 * image's items kept), how many items per image and task, the answer-format prompt appended to each
 * instruction (LLaVA-1.5's "Answer the question using a single word or phrase."), an optional task
 * identifier prefix (MiniGPT-v2's {@code [vqa]}), whether an image's items of a task are merged into
 * multi-turn conversations, the box convention and a seed.
 *
 * <p>Everything is a pure function of the image, the recipe and the library: which items are kept, the
 * template of each, the order of options. So the same images and the same recipe give byte-identical
 * samples, and their ids. The recipe hash covers the recipe, the definitions of the tasks it uses and the
 * vocabulary negatives are drawn from; it is recorded in every sample's lineage.
 */
public final class AdaptionRecipe {

    private static final Logger LOG = Logger.getLogger(AdaptionRecipe.class);

    /** One task of a recipe and how it is used. */
    public record Entry(TaskSpec task, double weight, int maxPerImage, String prompt, String prefix, boolean merge) {
    }

    private final String id;
    private final String version;
    private final String description;
    private final String boxConvention;
    private final long seed;
    private final int maxSamplesPerImage;
    private final int mergeMaxTurns;
    private final List<Entry> entries;
    private final String hash;

    private AdaptionRecipe(String id, String version, String description, String boxConvention, long seed,
            int maxSamplesPerImage, int mergeMaxTurns, List<Entry> entries, String definition) {
        this.id = id;
        this.version = version;
        this.description = description;
        this.boxConvention = boxConvention;
        this.seed = seed;
        this.maxSamplesPerImage = maxSamplesPerImage;
        this.mergeMaxTurns = mergeMaxTurns;
        this.entries = List.copyOf(entries);
        StringBuilder all = new StringBuilder(definition);
        entries.forEach(e -> all.append("\n\n").append(e.task().definition()));
        all.append("\n\n").append(Vocabulary.get().hash());
        this.hash = Ids.sha256Hex(all.toString());
    }

    /** The foundation recipe: brief caption, detailed description and object counting. */
    public static AdaptionRecipe cocoBasic() {
        return shipped("aa-coco-basic", TaskLibrary.shipped());
    }

    /** The names of the recipes shipped as resources. */
    public static List<String> shippedNames() {
        return TaskLibrary.resourceLines("recipes/adaption/index.txt");
    }

    public static AdaptionRecipe shipped(String name, TaskLibrary library) {
        if (!shippedNames().contains(name)) {
            throw new IllegalArgumentException("no recipe '" + name + "'; shipped: " + shippedNames());
        }
        String resource = "recipes/adaption/" + name + ".yaml";
        return parse(TaskLibrary.resourceText(resource), resource, library);
    }

    /** A recipe by name: {@code <name>.yaml} in {@code userDir} if there is one, else the shipped recipe. */
    public static AdaptionRecipe load(String name, TaskLibrary library, Optional<Path> userDir) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("a recipe name is letters, digits, '.', '_' and '-'; got '" + name + "'");
        }
        if (userDir.isPresent()) {
            for (String ext : List.of(".yaml", ".yml")) {
                Path file = userDir.get().resolve(name + ext);
                if (Files.isRegularFile(file)) {
                    try {
                        return parse(Files.readString(file), file.toString(), library);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return shipped(name, library);
    }

    /** Parses a recipe; {@code where} names it in error messages. */
    public static AdaptionRecipe parse(String yaml, String where, TaskLibrary library) {
        JsonNode root;
        try {
            root = TaskLibrary.YAML.readTree(yaml);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not valid YAML: " + e.getMessage(), e);
        }
        String id = root.path("id").asText("");
        if (id.isBlank()) {
            throw new IllegalArgumentException(where + ": a recipe needs an 'id'");
        }
        String boxes = BoxText.normalise(root.path("box-convention").asText(BoxText.LLAVA));
        if (!BoxText.known(boxes)) {
            throw new IllegalArgumentException(where + ": unknown box convention '" + boxes + "'; known: "
                    + BoxText.CONVENTIONS);
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode t : root.path("tasks")) {
            String name = t.path("task").asText("");
            TaskSpec task = library.task(name).orElseThrow(() -> new IllegalArgumentException(
                    where + ": the library has no task '" + name + "'"));
            double weight = t.path("weight").asDouble(1.0);
            if (!(weight > 0 && weight <= 1)) {
                throw new IllegalArgumentException(where + ", task '" + name + "': weight is the share of items kept, "
                        + "in (0, 1]; got " + weight);
            }
            entries.add(new Entry(task, weight, t.path("max-per-image").asInt(1), text(t, "prompt"), text(t, "prefix"),
                    t.path("merge").asBoolean(false)));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(where + ": a recipe needs at least one task");
        }
        return new AdaptionRecipe(id, root.path("version").asText("1"), root.path("description").asText(""), boxes,
                root.path("seed").asLong(0), root.path("max-samples-per-image").asInt(0),
                root.path("merge-max-turns").asInt(8), entries, canonical(root));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    private static String canonical(JsonNode root) {
        try {
            return TaskLibrary.YAML.copy().configure(com.fasterxml.jackson.databind.SerializationFeature
                    .ORDER_MAP_ENTRIES_BY_KEYS, true).writeValueAsString(
                            TaskLibrary.YAML.treeToValue(root, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Recipe recipe() {
        return new Recipe(id, version, hash);
    }

    public String id() {
        return id;
    }

    public String description() {
        return description;
    }

    public String boxConvention() {
        return boxConvention;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The samples of one image under this recipe. */
    public List<Sample> generate(ImageIngested image, String createdAt) {
        List<Sample> samples = new ArrayList<>();
        for (Entry entry : entries) {
            TaskSpec spec = entry.task();
            TaskKind kind = TaskKinds.byName(spec.kind()).orElseThrow();
            List<TaskItem> items;
            try {
                items = kind.items(image, spec, new TaskContext(boxConvention, seed, image.imageId(), spec.name()));
            } catch (RuntimeException e) {
                LOG.warnf("task %s made nothing of image %s: %s", spec.name(), image.imageId(), e.getMessage());
                continue;
            }
            List<TaskItem> kept = items.stream()
                    .filter(item -> entry.weight() >= 1 || unit(image.imageId(), item, spec, "weight") < entry.weight())
                    .sorted(Comparator.comparingLong((TaskItem item) -> rank(image.imageId(), item, spec)).thenComparing(TaskItem::key))
                    .limit(entry.maxPerImage() <= 0 ? Long.MAX_VALUE : entry.maxPerImage())
                    .toList();
            if (entry.merge() && !kept.isEmpty()) {
                for (int start = 0; start < kept.size(); start += mergeMaxTurns) {
                    samples.add(sample(image, entry, kept.subList(start, Math.min(kept.size(), start + mergeMaxTurns)),
                            createdAt));
                }
            } else {
                kept.forEach(item -> samples.add(sample(image, entry, List.of(item), createdAt)));
            }
        }
        if (maxSamplesPerImage > 0 && samples.size() > maxSamplesPerImage) {
            List<Sample> keep = samples.stream().sorted(Comparator.comparing(Sample::id)).limit(maxSamplesPerImage).toList();
            samples.retainAll(keep);
        }
        return samples;
    }

    private Sample sample(ImageIngested image, Entry entry, List<TaskItem> items, String createdAt) {
        TaskSpec spec = entry.task();
        List<Turn> turns = new ArrayList<>();
        List<String> templateIds = new ArrayList<>();
        for (TaskItem item : items) {
            int index = (int) (Ids.seedOf(Long.toString(seed), image.imageId(), id, spec.name(), item.key(), "template")
                    % spec.templates().size());
            templateIds.add(spec.name() + "/" + index);
            String instruction = render(spec.templates().get(index), item.slots());
            if (entry.prefix() != null) {
                instruction = entry.prefix().strip() + " " + instruction;
            }
            if (entry.prompt() != null) {
                instruction = instruction + "\n" + entry.prompt().strip();
            }
            turns.add(turns.isEmpty() ? Turn.human(Turn.IMAGE_TOKEN + "\n" + instruction) : Turn.human(instruction));
            turns.add(Turn.gpt(item.answer()));
        }
        String keys = String.join("|", items.stream().map(TaskItem::key).toList());
        String templateId = items.size() == 1 ? templateIds.get(0) + "#" + keys
                : spec.name() + "/merged#" + Ids.sha256Hex(keys).substring(0, 16);
        long itemSeed = Ids.seedOf(Long.toString(seed), image.imageId(), spec.name(), keys);
        String sampleId = Ids.sampleId(image.imageId(), id, version, spec.name(), templateId, itemSeed);
        Lineage lineage = new Lineage(Strategy.AA, recipe(), templateId, itemSeed,
                new Generator("template", null, null, null), boxConvention, image.source(),
                List.of(new LineageStep("generation", "adaption/" + spec.name(), version, createdAt)));
        return new Sample(Sample.SCHEMA_VERSION, sampleId, image.imageId(), image.imageKey(), turns, spec.name(),
                spec.category(), image.licence(), lineage, Usage.NONE, createdAt, image.groundTruth());
    }

    static String render(String template, Map<String, String> slots) {
        String out = template;
        for (Map.Entry<String, String> slot : slots.entrySet()) {
            out = out.replace("{" + slot.getKey() + "}", slot.getValue());
        }
        return out;
    }

    private long rank(String imageId, TaskItem item, TaskSpec spec) {
        return Ids.seedOf(Long.toString(seed), imageId, id, spec.name(), item.key(), "rank");
    }

    private double unit(String imageId, TaskItem item, TaskSpec spec, String purpose) {
        return (Ids.seedOf(Long.toString(seed), imageId, id, spec.name(), item.key(), purpose) % 1_000_000) / 1_000_000.0;
    }
}
