package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
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
        Map<String, JsonNode> questions = new LinkedHashMap<>();
        Map<String, String> subtypeOf = new HashMap<>();
        Map<String, JsonNode> annotations = new HashMap<>();
        Map<String, SourceItem> items = new LinkedHashMap<>();
        boolean any = false;
        for (Path file : files) {
            JsonNode root = Json.parseFile(file, result);
            if (root == null) {
                continue;
            }
            String name = file.getFileName().toString();
            if (root.isArray()) {
                any = true;
                readAokvqa(root, name, file.getParent(), items, result);
            } else if (root.has("questions")) {
                any = true;
                String subtype = Json.text(root, "data_subtype");
                for (JsonNode q : Json.array(root, "questions")) {
                    String qid = Json.id(q, "question_id");
                    if (qid == null) {
                        result.problem(name + " question " + VisualGenomeFormat.shorten(q),
                                "annotation.malformed_question", "a question needs question_id");
                        continue;
                    }
                    questions.put(qid, q);
                    subtypeOf.put(qid, subtype == null ? "default" : subtype);
                }
            } else if (root.has("annotations")) {
                any = true;
                for (JsonNode a : Json.array(root, "annotations")) {
                    String qid = Json.id(a, "question_id");
                    if (qid != null) {
                        annotations.put(qid, a);
                    }
                }
            } else {
                result.problem(name, "source.wrong_shape",
                        "expected VQA questions/annotations objects or an A-OKVQA array");
            }
        }
        if (!any && result.problems.isEmpty()) {
            throw new SourceFormatException("no VQA questions in " + paths);
        }
        Path base = files.isEmpty() ? null : files.get(0).getParent();
        for (Map.Entry<String, JsonNode> e : questions.entrySet()) {
            String qid = e.getKey();
            JsonNode q = e.getValue();
            String imageId = Json.id(q, "image_id");
            String text = Json.usableText(Json.text(q, "question"), "question " + qid, result);
            if (imageId == null || !imageId.matches("\\d{1,12}")) {
                result.problem("question " + qid, "annotation.malformed_question", "image_id must be a COCO image id");
                continue;
            }
            if (text == null) {
                continue;
            }
            JsonNode a = annotations.get(qid);
            if (a == null) {
                result.problem("question " + qid, "annotation.missing_answers", "no annotation for question " + qid);
                continue;
            }
            List<String> answers = new ArrayList<>();
            for (JsonNode answer : Json.array(a, "answers")) {
                String value = Json.text(answer, "answer");
                if (value != null && !value.isBlank()) {
                    answers.add(value.strip());
                }
            }
            if (answers.isEmpty()) {
                result.problem("question " + qid, "annotation.missing_answers", "the annotation has no answers");
                continue;
            }
            String subtype = subtypeOf.get(qid);
            SourceItem item = items.computeIfAbsent(imageId, id -> {
                SourceItem i = new SourceItem(name(), subtype, id,
                        String.format(Locale.ROOT, "COCO_%s_%012d.jpg", subtype, Long.parseLong(id)));
                i.baseDir = base;
                return i;
            });
            item.questions.add(new QaPair(text, mostCommon(answers), answers, null, Json.text(a, "answer_type"),
                    List.of(), null, "vqa", qid));
        }
        result.items.addAll(items.values());
        return result;
    }

    private void readAokvqa(JsonNode root, String file, Path base, Map<String, SourceItem> items, ReadResult result) {
        for (JsonNode q : root) {
            String qid = Json.id(q, "question_id");
            String imageId = Json.id(q, "image_id");
            if (qid == null || imageId == null || !imageId.matches("\\d{1,12}")) {
                result.problem(file + " " + VisualGenomeFormat.shorten(q), "annotation.malformed_question",
                        "an A-OKVQA question needs question_id and a COCO image_id");
                continue;
            }
            String text = Json.usableText(Json.text(q, "question"), "question " + qid, result);
            if (text == null) {
                continue;
            }
            List<String> choices = Json.strings(q, "choices");
            Integer correct = q.has("correct_choice_idx") && q.get("correct_choice_idx").isIntegralNumber()
                    ? q.get("correct_choice_idx").asInt() : null;
            if (correct != null && (correct < 0 || correct >= choices.size())) {
                result.problem("question " + qid, "annotation.bad_choice",
                        "correct_choice_idx " + correct + " is not one of " + choices.size() + " choices");
                continue;
            }
            List<String> direct = Json.strings(q, "direct_answers");
            String answer = correct != null ? choices.get(correct) : direct.isEmpty() ? null : mostCommon(direct);
            if (answer == null) {
                result.problem("question " + qid, "annotation.missing_answers", "no choice and no direct answers");
                continue;
            }
            String split = Json.text(q, "split");
            SourceItem item = items.computeIfAbsent(imageId, id -> {
                SourceItem i = new SourceItem(name(), split, id, String.format(Locale.ROOT, "%012d.jpg", Long.parseLong(id)));
                i.baseDir = base;
                return i;
            });
            item.questions.add(new QaPair(text, answer, direct, null, null, choices, correct, "a-okvqa", qid));
        }
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
