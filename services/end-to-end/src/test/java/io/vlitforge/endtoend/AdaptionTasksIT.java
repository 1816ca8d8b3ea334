package io.vlitforge.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskLibrary;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.boxes.BoxText;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Relation;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every task of the adaption library, end to end: the real fixtures (COCO, Visual Genome, VQA v2, GQA,
 * Flickr30k Entities, plus RefCOCO refs and an A-OKVQA question written in their official shapes over
 * real COCO annotations) are ingested by the ingestion process, the generation process runs the
 * {@code all-tasks} recipe over real Kafka, and each task's samples, read from {@code samples.generated},
 * are checked against the image records read from {@code images.ingested}: a count equals the boxes of
 * that category, a box answer is the referred box in the recipe's convention, a negative's object is
 * absent, and so on. Then stored images are regenerated under another recipe without re-ingesting.
 * Nothing is stubbed.
 */
class AdaptionTasksIT {

    private static PipelineStack stack;
    /** Every version of every image record, by image id (records grow as sources merge). */
    private static final Map<String, List<ImageIngested>> IMAGES = new HashMap<>();
    private static final Map<String, List<Sample>> BY_TASK = new HashMap<>();
    private static final List<Sample> ALL = new ArrayList<>();
    private static KafkaConsumer<String, String> consumer;

    @TempDir
    static Path dir;

    @BeforeAll
    static void ingestEverySourceAndGenerate() throws Exception {
        stack = PipelineStack.start("aa", "vlit_aa", "aa-logs", Map.of("VLIT_AA_RECIPES", "all-tasks"));
        Path fixtures = Fixtures.root();
        Path coco = Fixtures.cocoMini();
        ingest("coco", List.of(coco.resolve("annotations")), coco.resolve("images"));
        ingest("vg", List.of(fixtures.resolve("visual-genome")), fixtures.resolve("visual-genome/images"));
        ingest("vqa", List.of(fixtures.resolve("vqav2/questions.json"), fixtures.resolve("vqav2/annotations.json")),
                fixtures.resolve("vqav2/images"));
        ingest("gqa", List.of(fixtures.resolve("gqa/questions.json")), fixtures.resolve("gqa/images"));

        // RefCOCO refs (the refer toolkit's export) over the real COCO instances: the dog and the potted plant
        // of image 790.
        Files.writeString(dir.resolve("refs(unc).json"), """
                [{"ref_id": 1, "ann_id": 11434, "image_id": 790, "split": "val", "category_id": 18,
                  "sentences": [{"sent_id": 101, "sent": "dog lying on the right"}, {"sent_id": 102, "sent": "brown dog"}]},
                 {"ref_id": 2, "ann_id": 19318, "image_id": 790, "split": "val", "category_id": 64,
                  "sentences": [{"sent_id": 103, "sent": "plant at the top left"}]}]""");
        ingest("refcoco", List.of(dir.resolve("refs(unc).json"), coco.resolve("annotations/instances_train2017.json")),
                coco.resolve("images"));
        // An A-OKVQA question (its official shape) about COCO image 790.
        Files.writeString(dir.resolve("aokvqa_v1p0_val.json"), """
                [{"split": "val", "image_id": 790, "question_id": "aok790a",
                  "question": "What animal is resting on the floor?",
                  "choices": ["cat", "dog", "horse", "sheep"], "correct_choice_idx": 1,
                  "direct_answers": ["dog", "dog", "dog", "dog", "dog", "puppy", "dog", "dog", "dog", "dog"],
                  "difficult_direct_answer": false, "rationales": ["A dog lies near the chairs."]}]""");
        ingest("aokvqa", List.of(dir.resolve("aokvqa_v1p0_val.json")), coco.resolve("images"));
        // Flickr30k Entities: the real sentences, with boxes for two entities in the official XML shape.
        Path flickr = Files.createDirectories(dir.resolve("flickr30k"));
        Files.createSymbolicLink(flickr.resolve("sentences"), fixtures.resolve("flickr30k/sentences"));
        Files.createDirectories(flickr.resolve("Annotations"));
        Files.writeString(flickr.resolve("Annotations/4945942737.xml"), """
                <annotation><filename>4945942737.jpg</filename>
                  <size><width>333</width><height>500</height><depth>3</depth></size>
                  <object><name>221796</name><bndbox><xmin>60</xmin><ymin>120</ymin><xmax>300</xmax><ymax>480</ymax></bndbox></object>
                  <object><name>221797</name><bndbox><xmin>80</xmin><ymin>250</ymin><xmax>280</xmax><ymax>480</ymax></bndbox></object>
                </annotation>""");
        ingest("flickr30k", List.of(flickr), fixtures.resolve("flickr30k"));

        consumer = consumer();
        consumer.subscribe(List.of(stack.run + "." + Topics.IMAGES_INGESTED, stack.run + "." + Topics.SAMPLES_GENERATED));
        readUntilQuiet(Duration.ofSeconds(5), true);
        for (Sample s : ALL) {
            BY_TASK.computeIfAbsent(s.task(), k -> new ArrayList<>()).add(s);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (consumer != null) {
            consumer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    static Stream<String> tasks() {
        return TaskLibrary.shipped().tasks().stream().map(TaskSpec::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tasks")
    void everyTaskMakesSamplesFromTheFixturesAndTheirAnswersAreTheAnnotations(String task) {
        List<Sample> samples = BY_TASK.getOrDefault(task, List.of());
        assertFalse(samples.isEmpty(), task + " made no sample from the fixtures; tasks seen: " + BY_TASK.keySet());
        TaskSpec spec = TaskLibrary.shipped().task(task).orElseThrow();
        for (Sample s : samples) {
            assertEquals("all-tasks", s.lineage().recipe().id());
            assertEquals(2, s.conversations().size());
            String human = s.conversations().get(0).value();
            assertTrue(human.startsWith("<image>\n"), human);
            String instruction = human.substring("<image>\n".length());
            String answer = s.conversations().get(1).value();
            List<ImageIngested> versions = IMAGES.get(s.imageId());
            assertNotNull(versions, "the sample's image was ingested");
            assertTrue(versions.stream().anyMatch(image -> answerHolds(spec, s, instruction, answer, image)),
                    task + ": answer not supported by the annotations:\n  instruction: " + instruction
                            + "\n  answer: " + answer);
        }
    }

    @Test
    void storedImagesAreRegeneratedUnderAnotherRecipeWithoutReingestingAndTheSameRecipeGivesTheSameSamples()
            throws Exception {
        JsonNode run = stack.post("generation", "/adaption/runs", Map.of("recipe", "qwen-vl-grounding"), 200);
        assertEquals(IMAGES.size(), run.get("images").asInt(), "every image seen is stored for regeneration");
        assertTrue(run.get("samples").asInt() > 0, run.toString());
        JsonNode again = stack.post("generation", "/adaption/runs", Map.of("recipe", "all-tasks"), 200);
        int before = ALL.size();
        readUntilQuiet(Duration.ofSeconds(5), false);
        List<Sample> qwen = ALL.subList(before, ALL.size()).stream()
                .filter(s -> s.lineage().recipe().id().equals("qwen-vl-grounding")).toList();
        assertEquals(run.get("samples").asInt(), qwen.stream().map(Sample::id).distinct().count());
        for (Sample s : qwen) {
            assertEquals(BoxText.QWEN_VL, s.lineage().boxConvention());
            String conversation = s.conversations().get(0).value() + "\n" + s.conversations().get(1).value();
            assertTrue(conversation.matches("(?s).*<box>\\(\\d+,\\d+\\),\\(\\d+,\\d+\\)</box>.*"), conversation);
        }
        // Regenerating under the same recipe gives the same samples: same ids, same bytes but for the time.
        Map<String, String> first = new LinkedHashMap<>();
        Map<String, String> second = new LinkedHashMap<>();
        List<Sample> regenerated = ALL.subList(before, ALL.size()).stream()
                .filter(s -> s.lineage().recipe().id().equals("all-tasks")).toList();
        assertEquals(again.get("samples").asInt(), regenerated.stream().map(Sample::id).distinct().count());
        for (Sample s : ALL.subList(0, before)) {
            first.putIfAbsent(s.id(), withoutTimes(s));
        }
        for (Sample s : regenerated) {
            second.put(s.id(), withoutTimes(s));
        }
        for (Map.Entry<String, String> e : second.entrySet()) {
            if (first.containsKey(e.getKey())) {
                assertEquals(first.get(e.getKey()), e.getValue());
            }
        }
        assertTrue(first.keySet().containsAll(second.keySet().stream().limit(50).toList())
                || second.keySet().stream().filter(first::containsKey).count() > second.size() / 2,
                "most regenerated samples are the ones generated at ingest (images that merged later differ)");
        // An unknown recipe is refused with the known ones named.
        JsonNode refused = stack.post("generation", "/adaption/runs", Map.of("recipe", "no-such-recipe"), 400);
        assertNotNull(refused);
        JsonNode tasks = stack.get("generation", "/tasks");
        assertEquals(TaskLibrary.shipped().tasks().size(), tasks.get("tasks").asInt());
    }

    // ---------------------------------------------------------------------------------------------------------
    // The checks, by kind: each recomputes the answer from the image record and compares.

    private static boolean answerHolds(TaskSpec spec, Sample s, String instruction, String answer, ImageIngested image) {
        String convention = s.lineage().boxConvention();
        return switch (spec.kind()) {
            case "caption" -> switch (spec.param("style", "brief")) {
                case "brief", "shortest" -> image.captions().stream().map(Text::sentence).anyMatch(answer::equals);
                case "detailed" -> image.captions().stream().map(Text::sentence).allMatch(answer::contains)
                        && Annotations.counts(image).entrySet().stream().allMatch(e ->
                                answer.contains(Text.number(e.getValue()) + " " + Text.noun(e.getKey(), e.getValue())));
                default -> image.regions().stream().map(r -> Text.sentence(r.description())).filter(answer::contains)
                        .count() >= 3;
            };
            case "vqa" -> image.questions().stream().filter(q -> instruction.contains(q.question().strip()))
                    .anyMatch(q -> "full".equals(spec.param("answer", ""))
                            ? answer.equals(Text.sentence(q.fullAnswer() != null ? q.fullAnswer() : q.answer()))
                            : answer.equals(q.answer().strip()));
            case "multiple_choice" -> multipleChoice(spec, instruction, answer, image);
            case "existence" -> {
                String object = slots(spec, instruction).getOrDefault("object", "");
                boolean present = Annotations.counts(image).containsKey(object);
                yield "positive".equals(spec.param("polarity", "")) ? present && answer.equals("Yes")
                        : !object.isEmpty() && !Annotations.mentioned(image, object) && answer.equals("No");
            }
            case "counting" -> counting(spec, s, instruction, answer);
            case "referring" -> referring(spec, instruction, answer, image, convention);
            case "region_caption" -> regionCaption(spec, instruction, answer, image, convention);
            case "grounded_caption" -> groundedCaption(spec, answer, image, convention);
            case "spatial" -> spatial(spec, instruction, answer, image);
            case "scene_graph" -> sceneGraph(spec, instruction, answer, image);
            case "matching" -> matching(spec, instruction, answer, image);
            case "phrase_type" -> image.phrases().stream().anyMatch(p -> instruction.contains("\"" + p.phrase().strip() + "\"")
                    && !p.types().isEmpty() && answer.equals(p.types().get(0).replace("bodyparts", "body parts")));
            default -> throw new AssertionError("no check for kind " + spec.kind());
        };
    }

    private static boolean multipleChoice(TaskSpec spec, String instruction, String answer, ImageIngested image) {
        Map<String, String> options = options(instruction);
        String chosen = options.get(answer);
        if (chosen == null || options.size() != 4) {
            return false;
        }
        List<String> others = options.values().stream().filter(o -> !o.equals(chosen)).toList();
        return switch (spec.param("source", "")) {
            case "choices" -> image.questions().stream().anyMatch(q -> instruction.contains(q.question())
                    && q.correctChoice() != null && q.choices().get(q.correctChoice()).equals(chosen));
            case "vqa" -> image.questions().stream().anyMatch(q -> instruction.contains(q.question().strip())
                    && q.answer().strip().equalsIgnoreCase(chosen)
                    && others.stream().noneMatch(o -> q.answers().stream().anyMatch(o::equalsIgnoreCase)));
            case "objects" -> Annotations.counts(image).containsKey(chosen)
                    && others.stream().noneMatch(o -> Annotations.mentioned(image, o));
            case "counts" -> {
                String objects = slots(spec, instruction).get("objects");
                yield Annotations.counts(image).entrySet().stream().anyMatch(e -> Text.noun(e.getKey(), 2).equals(objects)
                        && chosen.equals(Integer.toString(e.getValue())) && !others.contains(chosen));
            }
            case "colours" -> {
                BoundingBox box = Annotations.unique(image).get(slots(spec, instruction).get("object"));
                yield box != null && box.attributes().stream().map(a -> a.strip().toLowerCase(Locale.ROOT))
                        .anyMatch(chosen::equals);
            }
            default -> false;
        };
    }

    private static boolean counting(TaskSpec spec, Sample s, String instruction, String answer) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        s.groundTruth().objectCounts().forEach((k, v) -> counts.put(Text.noun(Annotations.name(k), 2), v));
        Map<String, String> slots = slots(spec, instruction);
        if ("compare".equals(spec.param("mode", ""))) {
            Integer first = counts.get(slots.get("first"));
            Integer second = counts.get(slots.get("second"));
            return first != null && second != null && answer.startsWith(first > second ? "Yes" : "No");
        }
        Integer n = counts.get(slots.get("objects"));
        return n != null && ("number".equals(spec.param("answer", "")) ? answer.equals(Integer.toString(n))
                : answer.endsWith(" " + Text.number(n) + " " + Text.noun(singular(s, slots.get("objects")), n) + "."));
    }

    private static String singular(Sample s, String plural) {
        return s.groundTruth().objectCounts().keySet().stream().map(Annotations::name)
                .filter(c -> Text.noun(c, 2).equals(plural)).findFirst().orElse(plural);
    }

    private static boolean referring(TaskSpec spec, String instruction, String answer, ImageIngested image,
            String convention) {
        return switch (spec.param("source", "")) {
            case "refexp" -> image.referringExpressions().stream()
                    .anyMatch(r -> instruction.contains(r.text()) && answer.equals(box(image, r.box(), convention)));
            case "region" -> image.regions().stream()
                    .anyMatch(r -> instruction.contains(r.description().strip())
                            && answer.equals(box(image, r.box(), convention)));
            case "object" -> Annotations.unique(image).entrySet().stream()
                    .anyMatch(e -> instruction.contains("the " + e.getKey() + " ") || instruction.contains("the " + e.getKey() + ".")
                            || instruction.contains("the " + e.getKey() + "?")
                            ? answer.equals(box(image, e.getValue(), convention)) : false);
            default -> { // phrase: the entity's boxes, in order
                Map<String, List<BoundingBox>> byEntity = Annotations.byObjectId(image);
                yield image.phrases().stream().filter(p -> byEntity.containsKey(p.entityId()))
                        .anyMatch(p -> instruction.contains("\"" + p.phrase().strip() + "\"")
                                && answer.equals(byEntity.get(p.entityId()).stream().map(b -> box(image, b, convention))
                                        .collect(Collectors.joining(", "))));
            }
        };
    }

    private static boolean regionCaption(TaskSpec spec, String instruction, String answer, ImageIngested image,
            String convention) {
        return switch (spec.param("source", "")) {
            case "region" -> image.regions().stream().anyMatch(r -> instruction.contains(box(image, r.box(), convention))
                    && answer.equals(Text.sentence(r.description())));
            case "refexp" -> image.referringExpressions().stream()
                    .anyMatch(r -> instruction.contains(box(image, r.box(), convention)) && answer.equals(r.text().strip()));
            default -> image.boxes().stream().anyMatch(b -> instruction.contains(box(image, b, convention))
                    && answer.equals(Annotations.name(b.category())));
        };
    }

    private static boolean groundedCaption(TaskSpec spec, String answer, ImageIngested image, String convention) {
        Set<String> boxes = image.boxes().stream().map(b -> box(image, b, convention)).collect(Collectors.toSet());
        if ("objects".equals(spec.param("source", ""))) {
            Set<String> lines = image.boxes().stream().map(b -> Annotations.name(b.category()) + ": " + box(image, b, convention))
                    .collect(Collectors.toSet());
            List<String> answered = List.of(answer.split("\n"));
            return answered.size() == image.boxes().size() && lines.containsAll(answered);
        }
        Matcher m = Pattern.compile("\\[[^\\]]+]").matcher(answer);
        int found = 0;
        while (m.find()) {
            if (!boxes.contains(m.group())) {
                return false;
            }
            found++;
        }
        String words = answer.replaceAll(" \\[[^\\]]+]", "");
        return found > 0 && image.captions().stream().map(Text::sentence).anyMatch(words::equals);
    }

    private static boolean spatial(TaskSpec spec, String instruction, String answer, ImageIngested image) {
        Map<String, BoundingBox> unique = Annotations.unique(image);
        Map<String, String> slots = slots(spec, instruction);
        String relation = spec.param("relation", "");
        if ("side".equals(relation)) {
            String o = slots.get("object");
            if (!unique.containsKey(o)) {
                return false;
            }
            double cx = Annotations.centerX(unique.get(o)) / image.width();
            String where = cx < 1.0 / 3 ? "on the left side" : cx > 2.0 / 3 ? "on the right side" : "in the middle";
            return answer.equals("The " + o + " is " + where + " of the image.");
        }
        BoundingBox a = unique.get(slots.get("first"));
        BoundingBox b = unique.get(slots.get("second"));
        if (a == null || b == null) {
            return false;
        }
        return switch (relation) {
            case "left_right" -> answer.equals(a.x() + a.width() <= b.x() ? "Yes" : "No")
                    && (a.x() + a.width() <= b.x() || b.x() + b.width() <= a.x());
            case "above_below" -> answer.equals(a.y() + a.height() <= b.y() ? "Yes" : "No")
                    && (a.y() + a.height() <= b.y() || b.y() + b.height() <= a.y());
            case "relative" -> (a.x() + a.width() <= b.x() == answer.contains("to the left of"))
                    && (b.x() + b.width() <= a.x() == answer.contains("to the right of"))
                    && (a.y() + a.height() <= b.y() == answer.contains(" above "))
                    && (b.y() + b.height() <= a.y() == answer.contains(" below "));
            default -> answer.equals("The " + (Annotations.area(a) > Annotations.area(b) ? slots.get("first")
                    : slots.get("second")) + " appears larger in the image.");
        };
    }

    private static boolean sceneGraph(TaskSpec spec, String instruction, String answer, ImageIngested image) {
        Map<String, BoundingBox> unique = Annotations.unique(image);
        Map<String, List<BoundingBox>> byId = Annotations.byObjectId(image);
        String program = spec.param("program", "");
        switch (program) {
            case "query_colour", "query_attributes", "verify_attribute" -> {
                Map<String, String> slots = slots(spec, instruction);
                return unique.entrySet().stream().filter(e -> e.getKey().equals(slots.get("object"))).anyMatch(e -> {
                            List<String> attributes = e.getValue().attributes().stream()
                                    .map(x -> x.strip().toLowerCase(Locale.ROOT)).toList();
                            return switch (program) {
                                case "query_colour" -> attributes.contains(answer);
                                case "query_attributes" -> answer.startsWith("The " + e.getKey() + " is ")
                                        && attributes.stream().filter(x -> !x.isEmpty()).allMatch(answer::contains);
                                default -> {
                                    String asked = slots.get("attribute");
                                    yield answer.equals("Yes") == attributes.contains(asked)
                                            && (answer.equals("Yes") || answer.equals("No"));
                                }
                            };
                        });
            }
            case "and_exists" -> {
                Set<String> present = Annotations.counts(image).keySet().stream().map(c -> Text.noun(c, 2))
                        .collect(Collectors.toSet());
                Map<String, String> slots = slots(spec, instruction);
                boolean both = present.contains(slots.get("first")) && present.contains(slots.get("second"));
                return answer.equals(both ? "Yes" : "No");
            }
            default -> {
                for (Relation r : image.relations()) {
                    List<BoundingBox> s = byId.get(r.subjectId());
                    List<BoundingBox> o = byId.get(r.objectId());
                    if (s == null || o == null) {
                        continue;
                    }
                    String subject = Annotations.name(s.get(0).category());
                    String object = Annotations.name(o.get(0).category());
                    String predicate = r.predicate().strip().toLowerCase(Locale.ROOT);
                    boolean names = instruction.contains(subject) && instruction.contains(predicate);
                    boolean holds = switch (program) {
                        case "relate_query_name" -> names && answer.equals(object);
                        case "query_relation" -> answer.equals("The " + subject + " is " + predicate + " the " + object + ".");
                        case "relate_query_colour" -> names && instruction.contains(object)
                                && o.get(0).attributes().stream().map(x -> x.strip().toLowerCase(Locale.ROOT)).anyMatch(answer::equals);
                        default -> names && (answer.equals("Yes") ? instruction.contains("the " + object)
                                : answer.equals("No") && !instruction.contains("the " + object + " ")
                                        && !instruction.endsWith("the " + object + "?"));
                    };
                    if (holds) {
                        return true;
                    }
                }
                return false;
            }
        }
    }

    private static boolean matching(TaskSpec spec, String instruction, String answer, ImageIngested image) {
        List<String> captions = image.captions().stream().map(Text::sentence).toList();
        Predicate<String> real = captions::contains;
        return switch (spec.param("mode", "")) {
            case "positive" -> answer.equals("Yes") && captions.stream().anyMatch(instruction::contains);
            case "negative" -> answer.equals("No") && captions.stream().noneMatch(instruction::contains)
                    && io.vlitforge.generation.tasks.Vocabulary.get().objectsByFrequency().stream()
                            .anyMatch(o -> !Annotations.mentioned(image, o)
                                    && Pattern.compile("\\b(" + Pattern.quote(o) + "|" + Pattern.quote(Text.noun(o, 2))
                                            + ")\\b", Pattern.CASE_INSENSITIVE).matcher(instruction).find());
            default -> {
                Map<String, String> options = options(instruction);
                String chosen = options.get(answer);
                yield chosen != null && real.test(chosen)
                        && options.values().stream().filter(o -> !o.equals(chosen)).noneMatch(real);
            }
        };
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String box(ImageIngested image, BoundingBox b, String convention) {
        return BoxText.format(convention, b.x(), b.y(), b.width(), b.height(), image.width(), image.height());
    }

    private static Map<String, String> options(String instruction) {
        Map<String, String> options = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^([A-D])\\. (.+)$").matcher(instruction);
        while (m.find()) {
            options.put(m.group(1), m.group(2).strip());
        }
        return options;
    }

    /** The values of a task's placeholders in an instruction, found by matching it against the task's templates. */
    private static Map<String, String> slots(TaskSpec spec, String instruction) {
        // The most literal text first, so "Is the colour of the {object} {attribute}?" wins over "Is the {object} {attribute}?".
        List<String> templates = spec.templates().stream()
                .sorted(java.util.Comparator.comparingInt((String t) -> -t.replaceAll("\\{[a-z_]+}", "").length())).toList();
        for (String template : templates) {
            List<String> names = new ArrayList<>();
            StringBuilder regex = new StringBuilder();
            Matcher m = Pattern.compile("\\{([a-z_]+)}").matcher(template);
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(template.substring(last, m.start()))).append("(.+)");
                names.add(m.group(1));
                last = m.end();
            }
            regex.append(Pattern.quote(template.substring(last)));
            Matcher full = Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(instruction);
            if (full.matches()) {
                Map<String, String> values = new HashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    values.put(names.get(i), full.group(i + 1));
                }
                return values;
            }
        }
        return Map.of();
    }

    private static String withoutTimes(Sample s) {
        ObjectNode tree = (ObjectNode) EventJson.mapper().valueToTree(s);
        tree.remove("createdAt");
        ((ObjectNode) tree.get("lineage")).remove("steps");
        return tree.toString();
    }

    private static void ingest(String format, List<Path> paths, Path images) throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("format", format);
        body.put("paths", paths.stream().map(Path::toString).toList());
        body.put("imagesDir", images.toString());
        body.put("dataset", format + "-fixture");
        JsonNode run = stack.post("ingestion", "/imports", body, 200);
        assertTrue(run.path("imagesRejected").asInt(0) == 0 || !format.equals("coco"), run.toString());
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "adaption-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /**
     * Reads both topics until nothing new arrives for {@code quiet} and, with {@code allProcessed}, the
     * generation service has processed every image seen on {@code images.ingested}; at most four minutes.
     */
    private static void readUntilQuiet(Duration quiet, boolean allProcessed) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        long lastNew = System.currentTimeMillis();
        while (System.currentTimeMillis() - lastNew < quiet.toMillis() || ALL.isEmpty()
                || (allProcessed && stack.count("select count(distinct image_id) from generation.processed_images")
                        < IMAGES.size())) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no samples after 3 minutes; generation log:\n" + stack.services.tail("generation"));
            }
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                lastNew = System.currentTimeMillis();
                if (r.topic().endsWith(Topics.IMAGES_INGESTED)) {
                    ImageIngested image = EventJson.read(r.value(), ImageIngested.class);
                    IMAGES.computeIfAbsent(image.imageId(), k -> new ArrayList<>()).add(image);
                } else {
                    ALL.add(EventJson.read(r.value(), Sample.class));
                }
            }
        }
    }
}
