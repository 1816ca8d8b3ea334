package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImportedConversation;
import io.vlitforge.shared.events.Turn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Existing instruction data, ingested to be filtered again, one reader per shape:
 * <ul>
 * <li>{@code llava}: LLaVA's JSON array of {@code {id, image, conversations: [{from, value}]}}; also LLaVA's
 * {@code caps_boxes} JSONL ({@code captions} plus {@code instances[{category, bbox}]} with normalised corner
 * boxes), read as captions and boxes;</li>
 * <li>{@code sharegpt}: LLaMA-Factory/ShareGPT, a JSON array of {@code {messages: [{role, content}], images}}
 * (or {@code conversations} with {@code from}/{@code value});</li>
 * <li>{@code multiinstruct}: MultiInstruct JSONL ({@code unique_id}, {@code task_name}, {@code image_path},
 * {@code prompt}, {@code target}, optional {@code region} in pixel corners).</li>
 * </ul>
 * The image is the sample's own path, relative to the images folder. A sample naming several different
 * images is refused ({@code sample.multiple_images}): an image record holds one picture.
 */
public final class InstructionFormat implements AnnotationFormat {

    private final String name;

    private InstructionFormat(String name) {
        this.name = name;
    }

    public static InstructionFormat llava() {
        return new InstructionFormat("llava");
    }

    public static InstructionFormat sharegpt() {
        return new InstructionFormat("sharegpt");
    }

    public static InstructionFormat multiinstruct() {
        return new InstructionFormat("multiinstruct");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path file : paths) {
            if (!Files.isRegularFile(file)) {
                throw new SourceFormatException("not a " + name + " file: " + file);
            }
            String fileName = file.getFileName().toString();
            List<JsonNode> samples = new ArrayList<>();
            List<String> where = new ArrayList<>();
            if (fileName.endsWith(".jsonl")) {
                List<String> lines = Json.lines(file, result);
                if (lines == null) {
                    continue;
                }
                for (int n = 0; n < lines.size(); n++) {
                    if (!lines.get(n).isBlank()) {
                        JsonNode row = Json.parse(lines.get(n).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                fileName + " line " + (n + 1), result);
                        if (row != null) {
                            samples.add(row);
                            where.add(fileName + " line " + (n + 1));
                        }
                    }
                }
            } else {
                JsonNode root = Json.parseFile(file, result);
                if (root == null) {
                    continue;
                }
                if (!root.isArray()) {
                    result.problem(fileName, "source.wrong_shape", "expected a JSON array of samples");
                    continue;
                }
                int i = 0;
                for (JsonNode s : root) {
                    samples.add(s);
                    where.add(fileName + " #" + i++);
                }
            }
            Map<String, SourceItem> items = new LinkedHashMap<>();
            for (int i = 0; i < samples.size(); i++) {
                JsonNode s = samples.get(i);
                if (!s.isObject()) {
                    result.problem(where.get(i), "annotation.malformed_sample", "a sample must be a JSON object");
                    continue;
                }
                switch (name) {
                    case "llava" -> readLlava(s, where.get(i), fileName, file.getParent(), items, result);
                    case "sharegpt" -> readShareGpt(s, where.get(i), i, fileName, file.getParent(), items, result);
                    default -> readMultiInstruct(s, where.get(i), fileName, file.getParent(), items, result);
                }
            }
            result.items.addAll(items.values());
        }
        return result;
    }

    private void readLlava(JsonNode s, String where, String file, Path base, Map<String, SourceItem> items,
            ReadResult result) {
        String id = Json.id(s, "id");
        String image = Json.text(s, "image");
        if (id == null) {
            result.problem(where, "annotation.missing_field", "a LLaVA sample needs an id");
            return;
        }
        if (image == null || image.isBlank()) {
            result.problem(where, "sample.no_image", "a sample without an image is not visual instruction data");
            return;
        }
        if (s.has("captions") || s.has("instances")) {
            SourceItem item = item(items, image, file, base);
            int n = 0;
            for (String c : Json.strings(s, "captions")) {
                String text = Json.usableText(c, where, result);
                if (text != null) {
                    item.captions.add(new SourceItem.Caption(id + "#" + n++, text));
                }
            }
            n = 0;
            for (JsonNode instance : Json.array(s, "instances")) {
                JsonNode b = instance.get("bbox");
                String category = Json.text(instance, "category");
                if (category == null || b == null || !b.isArray() || b.size() != 4 || !numbers(b)) {
                    result.problem(where + " instance " + n, "annotation.malformed_box",
                            "an instance needs a category and bbox [x1, y1, x2, y2] in 0..1");
                    n++;
                    continue;
                }
                item.boxes.add(new BoundingBox(category, b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(),
                        b.get(3).asDouble(), id + "#" + n++, List.of(), BoxConventions.NORMALISED_XYXY));
            }
            return;
        }
        List<Turn> turns = turns(s, "conversations", where, result);
        if (turns != null) {
            item(items, image, file, base).conversations.add(new ImportedConversation("llava", id, null, turns));
        }
    }

    private void readShareGpt(JsonNode s, String where, int index, String file, Path base,
            Map<String, SourceItem> items, ReadResult result) {
        Set<String> images = new LinkedHashSet<>(Json.strings(s, "images"));
        if (Json.text(s, "image") != null) {
            images.add(Json.text(s, "image"));
        }
        if (images.isEmpty()) {
            result.problem(where, "sample.no_image", "a sample without an image is not visual instruction data");
            return;
        }
        if (images.size() > 1) {
            result.problem(where, "sample.multiple_images", "names " + images.size() + " different images");
            return;
        }
        List<Turn> turns = turns(s, s.has("messages") ? "messages" : "conversations", where, result);
        if (turns != null) {
            String id = Json.id(s, "id") != null ? Json.id(s, "id") : file + "#" + index;
            item(items, images.iterator().next(), file, base).conversations
                    .add(new ImportedConversation("sharegpt", id, null, turns));
        }
    }

    private void readMultiInstruct(JsonNode s, String where, String file, Path base, Map<String, SourceItem> items,
            ReadResult result) {
        String id = Json.id(s, "unique_id");
        String image = Json.text(s, "image_path");
        String prompt = Json.usableText(Json.text(s, "prompt"), where, result);
        String target = Json.usableText(Json.text(s, "target"), where, result);
        if (id == null || image == null || image.isBlank()) {
            result.problem(where, "annotation.missing_field", "a MultiInstruct example needs unique_id and image_path");
            return;
        }
        if (prompt == null || target == null) {
            return;
        }
        String relative = image.startsWith("./") ? image.substring(2) : image;
        SourceItem item = item(items, relative, file, base);
        item.conversations.add(new ImportedConversation("multiinstruct", id, Json.text(s, "task_name"),
                List.of(Turn.human(prompt), Turn.gpt(target))));
        JsonNode region = s.get("region");
        if (region == null || region.isNull() || (region.isArray() && region.isEmpty())) {
            return;
        }
        // MultiInstruct writes regions as strings "x1 y1 x2 y2" (one per region); four numbers also do.
        List<double[]> corners = new ArrayList<>();
        boolean ok = region.isArray();
        if (ok && region.size() == 4 && numbers(region)) {
            corners.add(new double[] {region.get(0).asDouble(), region.get(1).asDouble(), region.get(2).asDouble(),
                    region.get(3).asDouble()});
        } else if (ok) {
            for (JsonNode r : region) {
                double[] c = r.isTextual() ? corners(r.asText()) : null;
                if (c == null) {
                    ok = false;
                    break;
                }
                corners.add(c);
            }
        }
        if (!ok) {
            result.problem(where, "annotation.malformed_box", "region must be \"x1 y1 x2 y2\" strings in pixels");
            return;
        }
        for (int k = 0; k < corners.size(); k++) {
            double[] c = corners.get(k);
            item.boxes.add(new BoundingBox("region", c[0], c[1], c[2], c[3], id + "#" + k, List.of(),
                    BoxConventions.XYXY));
        }
    }

    private static double[] corners(String text) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != 4) {
            return null;
        }
        double[] c = new double[4];
        try {
            for (int i = 0; i < 4; i++) {
                c[i] = Double.parseDouble(parts[i]);
                if (!Double.isFinite(c[i])) {
                    return null;
                }
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return c;
    }

    private static List<Turn> turns(JsonNode s, String field, String where, ReadResult result) {
        JsonNode messages = s.get(field);
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            result.problem(where, "annotation.missing_field", "no " + field + " array");
            return null;
        }
        List<Turn> turns = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = Json.text(m, "from") != null ? Json.text(m, "from") : Json.text(m, "role");
            String value = Json.text(m, "value") != null ? Json.text(m, "value") : Json.text(m, "content");
            String from = role == null ? null : switch (role) {
                case "human", "user" -> Turn.HUMAN;
                case "gpt", "assistant" -> Turn.GPT;
                case "system" -> "system";
                default -> null;
            };
            if (from == null) {
                result.problem(where, "sample.bad_role", "unknown speaker " + role);
                return null;
            }
            if (value == null || value.isBlank()) {
                result.problem(where, "sample.empty_turn", "a turn has no text");
                return null;
            }
            if (value.length() > Json.MAX_TEXT) {
                result.problem(where, "annotation.text_too_long", value.length() + " characters in one turn");
                return null;
            }
            turns.add(new Turn(from, value));
        }
        return turns;
    }

    private SourceItem item(Map<String, SourceItem> items, String image, String file, Path base) {
        String sourceId = image.length() <= 100 ? image : "sha256:" + io.vlitforge.shared.ids.Ids.sha256Hex(image)
                .substring(0, 40);
        return items.computeIfAbsent(sourceId, id -> {
            SourceItem i = new SourceItem(name, file.replaceFirst("\\.[^.]+$", ""), id, image);
            i.baseDir = base;
            return i;
        });
    }

    private static boolean numbers(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                return false;
            }
        }
        return true;
    }
}
