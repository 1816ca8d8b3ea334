package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlitforge.shared.events.QaPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Question answering on COCO images. VQA v2 and OK-VQA: a {@code questions} file ({@code questions[]}
 * with {@code image_id}, {@code question}, {@code question_id}, and {@code data_subtype}) and an
 * {@code annotations} file (ten human {@code answers} per question); the answer is the most common of
 * the ten (ties: the one given first). A-OKVQA: one JSON array of questions with {@code choices},
 * {@code correct_choice_idx} and {@code direct_answers}. The image file is COCO's:
 * {@code COCO_<subtype>_<12-digit id>.jpg} for VQA/OK-VQA, {@code <12-digit id>.jpg} for A-OKVQA.
 * Paths are the files themselves or folders holding them.
 */
public final class VqaFormat implements AnnotationFormat {

    @Override
    public String name() {
        return "vqa";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        stream(paths, result);
        return result;
    }

    private static final int AOKVQA = 0;
    private static final int QUESTION = 1;
    private static final int ANSWERS = 2;
    /** Tags carry the file's position: {@code kind + KINDS * file}. */
    private static final int KINDS = 3;

    /**
     * Streams the files (Jackson {@link JsonParser}; VQA's annotation files are hundreds of MB): every
     * question and every annotation is checked on its own and spilled to disk grouped by image
     * ({@link GroupSpill}), then each image's questions are joined with their answers and the image handed
     * on. Memory: one bucket of the spill and a few words per file.
     */
    @Override
    public void stream(List<Path> paths, ItemSink sink) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> list = Files.list(p)) {
                    list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new SourceFormatException("not found: " + p);
            }
        }
        List<String> subtypes = new ArrayList<>();
        boolean any = false;
        int[] problems = {0};
        ItemSink counted = new ItemSink() {
            @Override
            public void item(SourceItem item) {
                sink.item(item);
            }

            @Override
            public void problem(String item, String reason, String detail) {
                problems[0]++;
                sink.problem(item, reason, detail);
            }
        };
        long size = GroupSpill.sizeOf(files);
        try (GroupSpill byQuestion = GroupSpill.forSourceBytes(size);
                GroupSpill spill = GroupSpill.forSourceBytes(size)) {
            for (int f = 0; f < files.size(); f++) {
                Path file = files.get(f);
                int index = f;
                String name = file.getFileName().toString();
                String[] subtype = {null};
                boolean[] shaped = {false};
                boolean read = JsonStream.read(file, counted, parser -> {
                    JsonToken first = JsonStream.first(parser);
                    if (first == JsonToken.START_ARRAY) {
                        shaped[0] = true;
                        JsonStream.forEachElement(parser, q -> spillAokvqa(q, name, index, spill, counted));
                        return;
                    }
                    if (first != JsonToken.START_OBJECT) {
                        throw JsonStream.refuse("source.wrong_shape",
                                "expected VQA questions/annotations objects or an A-OKVQA array");
                    }
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String field = parser.currentName();
                        JsonToken value = parser.nextToken();
                        if (field.equals("questions") && value == JsonToken.START_ARRAY) {
                            shaped[0] = true;
                            JsonStream.forEachElement(parser, q -> spillQuestion(q, name, index, byQuestion,
                                    counted));
                        } else if (field.equals("annotations") && value == JsonToken.START_ARRAY) {
                            shaped[0] = true;
                            JsonStream.forEachElement(parser, a -> spillAnswers(a, byQuestion));
                        } else if (field.equals("data_subtype") && value == JsonToken.VALUE_STRING) {
                            subtype[0] = parser.getText();
                        } else {
                            parser.skipChildren();
                        }
                    }
                    if (!shaped[0]) {
                        throw JsonStream.refuse("source.wrong_shape",
                                "expected VQA questions/annotations objects or an A-OKVQA array");
                    }
                });
                subtypes.add(subtype[0] == null ? "default" : subtype[0]);
                any |= read && shaped[0];
            }
            if (!any && problems[0] == 0) {
                throw new SourceFormatException("no VQA questions in " + paths);
            }
            byQuestion.forEachGroup((qid, entries) -> pairUp(entries, spill));
            Path base = files.isEmpty() ? null : files.get(0).getParent();
            spill.forEachGroup((imageId, entries) -> join(imageId, entries, files, subtypes, base, counted));
        }
    }

    private static void spillQuestion(JsonNode q, String file, int index, GroupSpill byQuestion, ItemSink result)
            throws IOException {
        String qid = Json.id(q, "question_id");
        if (qid == null) {
            result.problem(file + " question " + VisualGenomeFormat.shorten(q), "annotation.malformed_question",
                    "a question needs question_id");
            return;
        }
        String imageId = Json.id(q, "image_id");
        if (imageId == null || !imageId.matches("\\d{1,12}")) {
            result.problem("question " + qid, "annotation.malformed_question", "image_id must be a COCO image id");
            return;
        }
        byQuestion.add(qid, QUESTION + KINDS * index, q);
    }

    private static void spillAnswers(JsonNode a, GroupSpill byQuestion) throws IOException {
        String qid = Json.id(a, "question_id");
        if (qid != null) {
            byQuestion.add(qid, ANSWERS, a);
        }
    }

    /**
     * One question id's group of the first spill: the (last) question with the (last) annotation given for
     * it, into the second spill under its image, with its place in the file so images keep their questions
     * in file order.
     */
    private static void pairUp(List<GroupSpill.Entry> entries, GroupSpill byImage) throws IOException {
        GroupSpill.Entry question = null;
        JsonNode answers = null;
        for (GroupSpill.Entry e : entries) {
            if (e.tag() % KINDS == QUESTION) {
                question = e;
            } else {
                answers = e.node();
            }
        }
        if (question == null) {
            return;
        }
        JsonNode q = question.node();
        ObjectNode pair = Json.MAPPER.createObjectNode();
        pair.set("q", q);
        if (answers != null) {
            pair.set("a", answers);
        }
        pair.put("seq", question.seq());
        byImage.add(Json.id(q, "image_id"), question.tag(), pair);
    }

    private static void spillAokvqa(JsonNode q, String file, int index, GroupSpill spill, ItemSink result)
            throws IOException {
        String qid = Json.id(q, "question_id");
        String imageId = Json.id(q, "image_id");
        if (qid == null || imageId == null || !imageId.matches("\\d{1,12}")) {
            result.problem(file + " " + VisualGenomeFormat.shorten(q), "annotation.malformed_question",
                    "an A-OKVQA question needs question_id and a COCO image_id");
            return;
        }
        spill.add(imageId, AOKVQA + KINDS * index, q);
    }

    /** One image: its A-OKVQA questions, then its VQA questions joined with their answers. */
    private void join(String imageId, List<GroupSpill.Entry> entries, List<Path> files, List<String> subtypes,
            Path base, ItemSink result) {
        List<GroupSpill.Entry> pairs = new ArrayList<>();
        SourceItem[] item = {null};
        for (GroupSpill.Entry e : entries) {
            if (e.tag() % KINDS == AOKVQA) {
                readAokvqa(e.node(), imageId, files.get(e.tag() / KINDS).getParent(), item, result);
            } else {
                pairs.add(e);
            }
        }
        record Pair(int file, JsonNode node) {
        }
        List<Pair> ordered = new ArrayList<>();
        pairs.forEach(e -> ordered.add(new Pair(e.tag() / KINDS, e.node())));
        ordered.sort(java.util.Comparator.comparingLong(p -> p.node().get("seq").asLong()));
        for (int i = 0; i < ordered.size(); i++) {
            JsonNode q = ordered.get(i).node().get("q");
            int file = ordered.get(i).file();
            String qid = Json.id(q, "question_id");
            String text = Json.usableText(Json.text(q, "question"), "question " + qid, result);
            if (text == null) {
                continue;
            }
            JsonNode a = ordered.get(i).node().get("a");
            if (a == null) {
                result.problem("question " + qid, "annotation.missing_answers", "no annotation for question " + qid);
                continue;
            }
            List<String> given = new ArrayList<>();
            for (JsonNode answer : Json.array(a, "answers")) {
                String value = Json.text(answer, "answer");
                if (value != null && !value.isBlank()) {
                    given.add(value.strip());
                }
            }
            if (given.isEmpty()) {
                result.problem("question " + qid, "annotation.missing_answers", "the annotation has no answers");
                continue;
            }
            if (item[0] == null) {
                String subtype = subtypes.get(file);
                item[0] = new SourceItem(name(), subtype, imageId,
                        String.format(Locale.ROOT, "COCO_%s_%012d.jpg", subtype, Long.parseLong(imageId)));
                item[0].baseDir = base;
            }
            item[0].questions.add(new QaPair(text, mostCommon(given), given, null, Json.text(a, "answer_type"),
                    List.of(), null, "vqa", qid));
        }
        if (item[0] != null) {
            result.item(item[0]);
        }
    }

    private void readAokvqa(JsonNode q, String imageId, Path base, SourceItem[] item, ItemSink result) {
        String qid = Json.id(q, "question_id");
        String text = Json.usableText(Json.text(q, "question"), "question " + qid, result);
        if (text == null) {
            return;
        }
        List<String> choices = Json.strings(q, "choices");
        Integer correct = q.has("correct_choice_idx") && q.get("correct_choice_idx").isIntegralNumber()
                ? q.get("correct_choice_idx").asInt() : null;
        if (correct != null && (correct < 0 || correct >= choices.size())) {
            result.problem("question " + qid, "annotation.bad_choice",
                    "correct_choice_idx " + correct + " is not one of " + choices.size() + " choices");
            return;
        }
        List<String> direct = Json.strings(q, "direct_answers");
        String answer = correct != null ? choices.get(correct) : direct.isEmpty() ? null : mostCommon(direct);
        if (answer == null) {
            result.problem("question " + qid, "annotation.missing_answers", "no choice and no direct answers");
            return;
        }
        if (item[0] == null) {
            item[0] = new SourceItem(name(), Json.text(q, "split"), imageId,
                    String.format(Locale.ROOT, "%012d.jpg", Long.parseLong(imageId)));
            item[0].baseDir = base;
        }
        item[0].questions.add(new QaPair(text, answer, direct, null, null, choices, correct, "a-okvqa", qid));
    }

    /** The answer given most often; among equals, the one given first. */
    static String mostCommon(List<String> answers) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        answers.forEach(a -> counts.merge(a, 1, Integer::sum));
        String best = null;
        int bestCount = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }
}
