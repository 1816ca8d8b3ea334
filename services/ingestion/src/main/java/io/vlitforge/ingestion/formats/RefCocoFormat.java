package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ReferringExpression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * RefCOCO, RefCOCO+ and RefCOCOg as the {@code refer} toolkit exports them: a refs JSON (the toolkit's
 * {@code refs(<split by>).p} as JSON: {@code ref_id}, {@code ann_id}, {@code image_id}, {@code split},
 * {@code sentences[].sent}) and the {@code instances.json} (COCO shape: images, annotations with
 * {@code bbox}, categories). Each sentence becomes a referring expression whose box is its annotation's
 * ({@code coco-xywh}); the referred annotations also become the image's boxes. The collection
 * ({@code refcoco}, {@code refcoco+}, {@code refcocog}) is taken from the file or folder name.
 */
public final class RefCocoFormat implements AnnotationFormat {

    @Override
    public String name() {
        return "refcoco";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        Path refsFile = null;
        Path instancesFile = null;
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> list = Files.list(p)) {
                    for (Path f : list.sorted().toList()) {
                        String n = f.getFileName().toString();
                        if (n.startsWith("instances") && n.endsWith(".json")) {
                            instancesFile = f;
                        } else if (n.startsWith("refs") && n.endsWith(".json")) {
                            refsFile = f;
                        }
                    }
                }
            } else if (p.getFileName().toString().startsWith("instances")) {
                instancesFile = p;
            } else {
                refsFile = p;
            }
        }
        if (refsFile == null || instancesFile == null || !Files.isRegularFile(refsFile)
                || !Files.isRegularFile(instancesFile)) {
            throw new SourceFormatException("RefCOCO needs a refs*.json and an instances*.json, got " + paths);
        }
        String collection = collection(refsFile);
        Path base = instancesFile.getParent();
        JsonNode instances = Json.parseFile(instancesFile, result);
        JsonNode refs = Json.parseFile(refsFile, result);
        if (instances == null || refs == null) {
            return result;
        }
        if (!instances.isObject() || !refs.isArray()) {
            result.problem(refsFile.getFileName().toString(), "source.wrong_shape",
                    "expected a refs array and an instances object");
            return result;
        }
        Map<String, String> categories = new HashMap<>();
        for (JsonNode c : Json.array(instances, "categories")) {
            if (Json.id(c, "id") != null && Json.text(c, "name") != null) {
                categories.put(Json.id(c, "id"), Json.text(c, "name"));
            }
        }
        Map<String, JsonNode> images = new HashMap<>();
        for (JsonNode i : Json.array(instances, "images")) {
            if (Json.id(i, "id") != null) {
                images.put(Json.id(i, "id"), i);
            }
        }
        Map<String, BoundingBox> boxes = new HashMap<>();
        Map<String, String> imageOfAnnotation = new HashMap<>();
        for (JsonNode a : Json.array(instances, "annotations")) {
            String id = Json.id(a, "id");
            JsonNode bbox = a.get("bbox");
            if (id == null || bbox == null || !bbox.isArray() || bbox.size() != 4 || !allNumbers(bbox)) {
                result.problem("annotation " + VisualGenomeFormat.shorten(a), "annotation.malformed_box",
                        "an annotation needs id and bbox [x, y, w, h]");
                continue;
            }
            String category = categories.getOrDefault(Json.id(a, "category_id"), "object");
            boxes.put(id, new BoundingBox(category, bbox.get(0).asDouble(), bbox.get(1).asDouble(),
                    bbox.get(2).asDouble(), bbox.get(3).asDouble(), id, List.of(), BoxConventions.COCO_XYWH));
            imageOfAnnotation.put(id, Json.id(a, "image_id"));
        }
        Map<String, SourceItem> items = new LinkedHashMap<>();
        for (JsonNode ref : refs) {
            String refId = Json.id(ref, "ref_id");
            String annId = Json.id(ref, "ann_id");
            String imageId = Json.id(ref, "image_id");
            JsonNode image = imageId == null ? null : images.get(imageId);
            BoundingBox box = annId == null ? null : boxes.get(annId);
            if (refId == null || image == null || box == null || !imageId.equals(imageOfAnnotation.get(annId))) {
                result.problem("ref " + refId, "annotation.unknown_object",
                        "the ref's image_id and ann_id must name an image and one of its annotations");
                continue;
            }
            String fileName = Json.text(image, "file_name");
            if (fileName == null) {
                result.problem("image " + imageId, "annotation.malformed_image", "no file_name");
                continue;
            }
            String split = Json.text(ref, "split");
            SourceItem item = items.computeIfAbsent(imageId, id -> {
                SourceItem i = new SourceItem(name(), "default", id, fileName);
                i.baseDir = base;
                i.width = Json.positiveInt(image, "width");
                i.height = Json.positiveInt(image, "height");
                return i;
            });
            if (item.boxes.stream().noneMatch(b -> annId.equals(b.objectId()))) {
                item.boxes.add(box);
            }
            for (JsonNode sentence : Json.array(ref, "sentences")) {
                String sentId = Json.id(sentence, "sent_id");
                String text = Json.text(sentence, "sent") != null ? Json.text(sentence, "sent") : Json.text(sentence, "raw");
                text = Json.usableText(text, "ref " + refId + " sentence " + sentId, result);
                if (text != null && sentId != null) {
                    item.referringExpressions.add(new ReferringExpression(text, box, collection, split, sentId));
                }
            }
        }
        result.items.addAll(items.values());
        return result;
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode v : array) {
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                return false;
            }
        }
        return true;
    }

    static String collection(Path refsFile) {
        String where = (refsFile.getParent() == null ? "" : refsFile.getParent().getFileName() + "/")
                + refsFile.getFileName();
        where = where.toLowerCase(Locale.ROOT);
        if (where.contains("refcocog")) {
            return "refcocog";
        }
        if (where.contains("refcoco+") || where.contains("refcocoplus")) {
            return "refcoco+";
        }
        return "refcoco";
    }
}
