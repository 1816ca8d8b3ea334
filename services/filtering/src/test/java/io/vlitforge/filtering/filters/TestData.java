package io.vlitforge.filtering.filters;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vlitforge.filtering.config.FilteringConfig;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real data for the filter tests, read from {@code ../shared/fixtures} (never copied): LLaVA's seed
 * answers and the COCO mini set turned into the three foundation tasks the way generation does; and the
 * filter configuration read from the service's own {@code application.properties}, so unit tests check
 * the defaults that run in production.
 */
final class TestData {

    static final Lineage LINEAGE = new Lineage(Strategy.AA, new Recipe("r", "1", "h"), "t/0", 1, null, null, null,
            List.of());

    private TestData() {
    }

    static FilteringConfig.Filters config() {
        try {
            URL properties = TestData.class.getClassLoader().getResource("application.properties");
            // Expressions (${VLIT_...:default}) and durations ("10s") read as Quarkus reads them.
            SmallRyeConfig config = new SmallRyeConfigBuilder()
                    .addDefaultInterceptors()
                    .withConverter(java.time.Duration.class, 200,
                            new io.quarkus.runtime.configuration.DurationConverter())
                    .withSources(new PropertiesConfigSource(properties))
                    .withMapping(FilteringConfig.class)
                    .withMapping(io.vlitforge.shared.security.AuthConfig.class)
                    .build();
            return config.getConfigMapping(FilteringConfig.class).filters();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FilterChain chain() {
        return FilterChain.from(config());
    }

    /** The configured content filter of that name. */
    static SampleFilter filter(String name) {
        return chain().filters().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    static Sample sample(String id, String imageId, String task, List<Turn> turns) {
        return sample(id, imageId, task, turns, null);
    }

    static Sample sample(String id, String imageId, String task, List<Turn> turns, GroundTruth truth) {
        return new Sample(2, id, imageId, "images/aa/bb/" + imageId + ".jpeg", turns, task, "c", null, LINEAGE, null,
                null, truth);
    }

    static Sample qa(String task, String instruction, String answer) {
        return sample("s", "img", task, List.of(Turn.human("<image>\n" + instruction), Turn.gpt(answer)));
    }

    /**
     * One LLaVA seed conversation: which prompt folder and file it came from, its turns, and the ground truth
     * GPT-4 was given for it ({@code NNN_caps.txt}: captions, then one "category: [x1, y1, x2, y2]" line per box).
     */
    record Seed(String kind, String file, List<Turn> turns, GroundTruth truth) {

        /** The task name it is checked as: detail descriptions have their own bounds, the rest the default. */
        String task() {
            return kind.equals("detail_description") ? "detailed_description" : kind;
        }

        Sample sample() {
            return TestData.sample(file, "img-" + file, task(), turns, truth);
        }

        /** The same conversation with its last answer replaced. */
        Sample withLastAnswer(String answer) {
            List<Turn> edited = new ArrayList<>(turns);
            edited.set(edited.size() - 1, Turn.gpt(answer));
            return TestData.sample(file, "img-" + file, task(), edited, truth);
        }

        /** The same conversation with a sentence added to its last answer. */
        Sample withSentence(String sentence) {
            return withLastAnswer(lastAnswer() + " " + sentence);
        }

        String lastAnswer() {
            return turns.get(turns.size() - 1).value();
        }
    }

    /**
     * Every seed in {@code llava/prompts/*}: {@code NNN_conv.txt} holds "Question:" / "Answer:" blocks
     * separated by "===" lines, except in detail_description where the whole file is the answer.
     */
    static List<Seed> llavaSeeds() {
        Path prompts = Fixtures.root().resolve("llava/prompts");
        List<Seed> seeds = new ArrayList<>();
        for (String kind : List.of("conversation", "detail_description", "complex_reasoning")) {
            try (Stream<Path> files = Files.list(prompts.resolve(kind))) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith("_conv.txt")).sorted()
                        .toList()) {
                    Path caps = file.resolveSibling(file.getFileName().toString().replace("_conv", "_caps"));
                    seeds.add(new Seed(kind, kind + "/" + file.getFileName(), turns(kind, Files.readString(file)),
                            groundTruth(Files.readString(caps))));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return seeds;
    }

    private static final Pattern BOX = Pattern.compile("^([a-z ]+): \\[([0-9., ]+)]$");

    /** Captions up to the first blank line, then the boxes; each box line is parsed and its four numbers checked. */
    static GroundTruth groundTruth(String caps) {
        List<String> captions = new ArrayList<>();
        List<BoundingBox> boxes = new ArrayList<>();
        for (String line : caps.strip().split("\n")) {
            Matcher m = BOX.matcher(line.strip());
            if (m.matches()) {
                String[] v = m.group(2).split(",\\s*");
                if (v.length != 4) {
                    throw new IllegalStateException("not a box: " + line);
                }
                double x1 = Double.parseDouble(v[0]);
                double y1 = Double.parseDouble(v[1]);
                double x2 = Double.parseDouble(v[2]);
                double y2 = Double.parseDouble(v[3]);
                if (x2 < x1 || y2 < y1 || x1 < 0 || y2 > 1) {
                    throw new IllegalStateException("not a normalised box: " + line);
                }
                boxes.add(new BoundingBox(m.group(1), x1, y1, x2 - x1, y2 - y1));
            } else if (!line.isBlank()) {
                captions.add(line.strip());
            }
        }
        return GroundTruth.of(captions, boxes);
    }

    /** The 80 COCO val2014 images of {@code llava/caps_boxes_coco2014_val_80.jsonl}: id and ground truth. */
    static Map<String, GroundTruth> llavaCocoVal80() {
        Map<String, GroundTruth> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Fixtures.root().resolve("llava/caps_boxes_coco2014_val_80.jsonl"))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = EventJson.mapper().readTree(line);
                List<String> captions = new ArrayList<>();
                node.get("captions").forEach(c -> captions.add(c.asText()));
                List<BoundingBox> boxes = new ArrayList<>();
                node.get("instances").forEach(i -> {
                    JsonNode b = i.get("bbox");
                    boxes.add(new BoundingBox(i.get("category").asText(), b.get(0).asDouble(), b.get(1).asDouble(),
                            b.get(2).asDouble() - b.get(0).asDouble(), b.get(3).asDouble() - b.get(1).asDouble()));
                });
                out.put(node.get("id").asText(), GroundTruth.of(captions, boxes));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<Turn> turns(String kind, String text) {
        if (kind.equals("detail_description")) {
            return List.of(Turn.human("<image>\nDescribe the following image in detail."), Turn.gpt(text.strip()));
        }
        List<Turn> turns = new ArrayList<>();
        for (String block : text.split("(?m)^===\\s*$")) {
            String b = block.strip();
            if (b.startsWith("Question:")) {
                String q = b.substring("Question:".length()).strip();
                turns.add(Turn.human(turns.isEmpty() ? "<image>\n" + q : q));
            } else if (b.startsWith("Answer:")) {
                turns.add(Turn.gpt(b.substring("Answer:".length()).strip()));
            }
        }
        return turns;
    }

    /**
     * The COCO mini set as the foundation recipe turns it into samples: per image, every caption as a
     * brief caption, all captions plus the inventory of boxed objects as a detailed description, and one
     * counting answer per category. Wording follows generation's tasks closely enough for lengths,
     * hygiene and similarity; the end-to-end test checks the real generator.
     */
    static List<Sample> cocoSamples() {
        Path annotations = Fixtures.cocoMini().resolve("annotations");
        try {
            JsonNode captions = EventJson.mapper().readTree(annotations.resolve("captions_train2017.json").toFile());
            JsonNode instances = EventJson.mapper().readTree(annotations.resolve("instances_train2017.json").toFile());
            Map<Long, String> categories = new LinkedHashMap<>();
            instances.get("categories").forEach(c -> categories.put(c.get("id").asLong(), c.get("name").asText()));
            Map<Long, List<String>> captionsByImage = new TreeMap<>();
            captions.get("annotations").forEach(a -> captionsByImage
                    .computeIfAbsent(a.get("image_id").asLong(), k -> new ArrayList<>())
                    .add(sentence(a.get("caption").asText())));
            Map<Long, Map<String, Integer>> countsByImage = new TreeMap<>();
            instances.get("annotations").forEach(a -> countsByImage
                    .computeIfAbsent(a.get("image_id").asLong(), k -> new TreeMap<>())
                    .merge(categories.get(a.get("category_id").asLong()), 1, Integer::sum));
            List<Sample> samples = new ArrayList<>();
            for (Map.Entry<Long, List<String>> image : captionsByImage.entrySet()) {
                String imageId = "coco-" + image.getKey();
                Map<String, Integer> counts = countsByImage.getOrDefault(image.getKey(), Map.of());
                GroundTruth truth = new GroundTruth(image.getValue(), counts);
                int n = 0;
                for (String caption : image.getValue()) {
                    samples.add(sample(imageId + "-b" + n++, imageId, "brief_caption", List.of(
                            Turn.human("<image>\nDescribe the image concisely."), Turn.gpt(caption)), truth));
                }
                StringBuilder detail = new StringBuilder(String.join(" ", image.getValue()));
                if (!counts.isEmpty()) {
                    List<String> parts = new ArrayList<>();
                    counts.forEach((category, count) -> parts.add(count + " " + category));
                    detail.append(" The annotated objects in the scene are ").append(String.join(", ", parts))
                            .append('.');
                }
                samples.add(sample(imageId + "-d", imageId, "detailed_description", List.of(
                        Turn.human("<image>\nDescribe the following image in detail."),
                        Turn.gpt(detail.toString())), truth));
                counts.forEach((category, count) -> samples.add(sample(imageId + "-c-" + category, imageId,
                        "object_counting", List.of(Turn.human("<image>\nHow many " + category + "s are there?"),
                                Turn.gpt((count == 1 ? "There is " : "There are ") + count + " " + category
                                        + ".")), truth)));
            }
            return samples;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sentence(String caption) {
        String s = caption.strip().replaceAll("\\s+", " ");
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return s.endsWith(".") ? s : s + ".";
    }
}
