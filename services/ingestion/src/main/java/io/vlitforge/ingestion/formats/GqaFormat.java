package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.events.QaPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GQA questions: one JSON object, question id to {@code imageId}, {@code question}, {@code answer},
 * {@code fullAnswer} and {@code types}; the image file is {@code <imageId>.jpg}. The split is taken from
 * the file name ({@code train_balanced_questions.json} is {@code train_balanced}).
 */
public final class GqaFormat implements AnnotationFormat {

    @Override
    public String name() {
        return "gqa";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path file : paths) {
            if (!Files.isRegularFile(file)) {
                throw new SourceFormatException("not a GQA questions file: " + file);
            }
            JsonNode root = Json.parseFile(file, result);
            if (root == null) {
                continue;
            }
            if (!root.isObject()) {
                result.problem(file.getFileName().toString(), "source.wrong_shape",
                        "expected a JSON object of question id to question");
                continue;
            }
            String split = file.getFileName().toString().replaceFirst("_?questions\\.json$", "");
            Map<String, SourceItem> items = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String qid = e.getKey();
                JsonNode q = e.getValue();
                String imageId = Json.id(q, "imageId");
                if (imageId == null || !imageId.matches("[A-Za-z0-9_-]{1,100}")) {
                    result.problem("question " + qid, "annotation.malformed_question",
                            "a GQA question needs an imageId of letters and digits");
                    continue;
                }
                String question = Json.usableText(Json.text(q, "question"), "question " + qid, result);
                String answer = Json.usableText(Json.text(q, "answer"), "question " + qid, result);
                if (question == null || answer == null) {
                    continue;
                }
                JsonNode types = q.get("types");
                SourceItem item = items.computeIfAbsent(imageId, id -> {
                    SourceItem i = new SourceItem(name(), split.isBlank() ? "default" : split, id, id + ".jpg");
                    i.baseDir = file.getParent();
                    return i;
                });
                item.questions.add(new QaPair(question, answer, List.of(answer), Json.text(q, "fullAnswer"),
                        types == null ? null : Json.text(types, "structural"), List.of(), null, "gqa", qid));
            }
            result.items.addAll(items.values());
        }
        return result;
    }
}
