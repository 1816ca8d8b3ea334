package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlitforge.shared.events.QaPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        stream(paths, result);
        return result;
    }

    /**
     * Streams each file (Jackson {@link JsonParser}; {@code train_all_questions} is gigabytes): every
     * question is checked and spilled to disk grouped by image ({@link GroupSpill}), then each image is
     * handed on with its questions in file order. Memory: one bucket of the spill.
     */
    @Override
    public void stream(List<Path> paths, ItemSink sink) throws IOException {
        for (Path file : paths) {
            if (!Files.isRegularFile(file)) {
                throw new SourceFormatException("not a GQA questions file: " + file);
            }
        }
        for (Path file : paths) {
            String split = file.getFileName().toString().replaceFirst("_?questions\\.json$", "");
            try (GroupSpill spill = GroupSpill.forSourceBytes(GroupSpill.sizeOf(List.of(file)))) {
                boolean read = JsonStream.read(file, sink, parser -> {
                    if (JsonStream.first(parser) != JsonToken.START_OBJECT) {
                        throw JsonStream.refuse("source.wrong_shape",
                                "expected a JSON object of question id to question");
                    }
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String qid = parser.currentName();
                        parser.nextToken();
                        JsonNode q = parser.readValueAsTree();
                        String imageId = Json.id(q, "imageId");
                        if (imageId == null || !imageId.matches("[A-Za-z0-9_-]{1,100}")) {
                            sink.problem("question " + qid, "annotation.malformed_question",
                                    "a GQA question needs an imageId of letters and digits");
                            continue;
                        }
                        ObjectNode entry = Json.MAPPER.createObjectNode();
                        entry.put("qid", qid);
                        entry.set("q", q);
                        spill.add(imageId, 0, entry);
                    }
                });
                if (!read) {
                    continue;
                }
                spill.forEachGroup((imageId, entries) -> {
                    SourceItem item = null;
                    for (GroupSpill.Entry e : entries) {
                        JsonNode entry = e.node();
                        String qid = entry.get("qid").asText();
                        JsonNode q = entry.get("q");
                        String question = Json.usableText(Json.text(q, "question"), "question " + qid, sink);
                        String answer = Json.usableText(Json.text(q, "answer"), "question " + qid, sink);
                        if (question == null || answer == null) {
                            continue;
                        }
                        if (item == null) {
                            item = new SourceItem(name(), split.isBlank() ? "default" : split, imageId,
                                    imageId + ".jpg");
                            item.baseDir = file.getParent();
                        }
                        JsonNode types = q.get("types");
                        item.questions.add(new QaPair(question, answer, List.of(answer), Json.text(q, "fullAnswer"),
                                types == null ? null : Json.text(types, "structural"), List.of(), null, "gqa", qid));
                    }
                    if (item != null) {
                        sink.item(item);
                    }
                });
            }
        }
    }
}
