package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Visual Genome v1.4 in its official files: {@code image_data.json} (required: size, url, {@code coco_id}),
 * {@code objects.json}, {@code attributes.json}, {@code relationships.json}, {@code region_descriptions.json},
 * {@code question_answers.json} and, if objects or relationships are not given, {@code scene_graphs.json}.
 * Objects become boxes ({@code vg-xywh}) named by their first name with their object id and attributes;
 * relationships become relations between object ids (an end that is no listed object is added as a box);
 * region descriptions become regions; QAs become QA pairs. The image file is {@code <image_id>.jpg}.
 */
public final class VisualGenomeFormat implements AnnotationFormat {

    @Override
    public String name() {
        return "vg";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path dir : paths) {
            Path imageData = dir.resolve("image_data.json");
            if (!Files.isRegularFile(imageData)) {
                throw new SourceFormatException("no image_data.json in " + dir + " (Visual Genome folder expected)");
            }
            readFolder(dir, result);
        }
        return result;
    }

    private void readFolder(Path dir, ReadResult result) {
        Map<String, SourceItem> items = new LinkedHashMap<>();
        JsonNode images = Json.parseFile(dir.resolve("image_data.json"), result);
        if (images == null) {
            return;
        }
        if (!images.isArray()) {
            result.problem("image_data.json", "source.wrong_shape", "expected a JSON array of images");
            return;
        }
        for (JsonNode image : images) {
            String id = Json.id(image, "image_id") != null ? Json.id(image, "image_id") : Json.id(image, "id");
            Integer width = Json.positiveInt(image, "width");
            Integer height = Json.positiveInt(image, "height");
            if (id == null || width == null || height == null) {
                result.problem("image " + shorten(image), "annotation.malformed_image",
                        "an image needs image_id, width and height");
                continue;
            }
            if (items.containsKey(id)) {
                result.problem("image " + id, "item.duplicate_in_source", "image_data.json lists image " + id
                        + " twice; the first entry is kept");
                continue;
            }
            SourceItem item = new SourceItem(name(), "v1.4", id, id + ".jpg");
            item.baseDir = dir;
            item.width = width;
            item.height = height;
            item.linkedCocoId = Json.id(image, "coco_id");
            item.credit = Json.text(image, "url");
            items.put(id, item);
        }
        Map<String, Map<String, BoundingBox>> objects = new LinkedHashMap<>();
        Map<String, List<String>> attributes = new LinkedHashMap<>();

        JsonNode attributeFile = optional(dir, "attributes.json", result);
        for (JsonNode perImage : iterate(attributeFile)) {
            for (JsonNode o : Json.array(perImage, "attributes")) {
                String objectId = Json.id(o, "object_id");
                if (objectId != null) {
                    attributes.computeIfAbsent(objectId, k -> new ArrayList<>()).addAll(Json.strings(o, "attributes"));
                }
            }
        }
        boolean objectsGiven = Files.isRegularFile(dir.resolve("objects.json"));
        boolean relationsGiven = Files.isRegularFile(dir.resolve("relationships.json"));
        JsonNode objectFile = optional(dir, "objects.json", result);
        for (JsonNode perImage : iterate(objectFile)) {
            SourceItem item = itemOf(perImage, items, "objects.json", result);
            for (JsonNode o : Json.array(perImage, "objects")) {
                if (item != null) {
                    addObject(item, o, attributes, objects, result);
                }
            }
        }
        JsonNode relationFile = optional(dir, "relationships.json", result);
        for (JsonNode perImage : iterate(relationFile)) {
            SourceItem item = itemOf(perImage, items, "relationships.json", result);
            for (JsonNode r : Json.array(perImage, "relationships")) {
                if (item == null) {
                    continue;
                }
                String relationId = Json.id(r, "relationship_id");
                String predicate = Json.text(r, "predicate");
                JsonNode subject = r.get("subject");
                JsonNode object = r.get("object");
                String subjectId = Json.id(subject, "object_id");
                String objectId = Json.id(object, "object_id");
                if (relationId == null || predicate == null || subjectId == null || objectId == null) {
                    result.problem("relationship " + shorten(r), "annotation.malformed_relation",
                            "a relationship needs relationship_id, predicate and subject/object object_id");
                    continue;
                }
                addObject(item, subject, attributes, objects, result);
                addObject(item, object, attributes, objects, result);
                item.relations.add(new Relation(subjectId, predicate.strip(), objectId, relationId));
            }
        }
        if (!objectsGiven || !relationsGiven) {
            JsonNode graphs = optional(dir, "scene_graphs.json", result);
            for (JsonNode graph : iterate(graphs)) {
                SourceItem item = itemOf(graph, items, "scene_graphs.json", result);
                if (item == null) {
                    continue;
                }
                if (!objectsGiven) {
                    Json.array(graph, "objects").forEach(o -> addObject(item, o, attributes, objects, result));
                }
                if (!relationsGiven) {
                    for (JsonNode r : Json.array(graph, "relationships")) {
                        String relationId = Json.id(r, "relationship_id");
                        String predicate = Json.text(r, "predicate");
                        String subjectId = Json.id(r, "subject_id");
                        String objectId = Json.id(r, "object_id");
                        if (relationId == null || predicate == null || subjectId == null || objectId == null) {
                            result.problem("relationship " + shorten(r), "annotation.malformed_relation",
                                    "a relationship needs relationship_id, predicate, subject_id and object_id");
                            continue;
                        }
                        item.relations.add(new Relation(subjectId, predicate.strip(), objectId, relationId));
                    }
                }
            }
        }
        JsonNode regionFile = optional(dir, "region_descriptions.json", result);
        for (JsonNode perImage : iterate(regionFile)) {
            SourceItem item = itemOf(perImage, items, "region_descriptions.json", result);
            for (JsonNode r : Json.array(perImage, "regions")) {
                if (item == null) {
                    continue;
                }
                String regionId = Json.id(r, "region_id");
                String phrase = Json.usableText(Json.text(r, "phrase"), "region " + regionId, result);
                BoundingBox box = box("region", r, "width", "height", regionId, List.of());
                if (regionId == null || box == null) {
                    result.problem("region " + shorten(r), "annotation.malformed_region",
                            "a region needs region_id, phrase, x, y, width and height as numbers");
                    continue;
                }
                if (phrase != null) {
                    item.regions.add(new Region(phrase, box, regionId));
                }
            }
        }
        JsonNode qaFile = optional(dir, "question_answers.json", result);
        for (JsonNode perImage : iterate(qaFile)) {
            SourceItem item = itemOf(perImage, items, "question_answers.json", result);
            for (JsonNode qa : Json.array(perImage, "qas")) {
                if (item == null) {
                    continue;
                }
                String qaId = Json.id(qa, "qa_id");
                String question = Json.usableText(Json.text(qa, "question"), "qa " + qaId, result);
                String answer = Json.usableText(Json.text(qa, "answer"), "qa " + qaId, result);
                if (qaId == null) {
                    result.problem("qa " + shorten(qa), "annotation.malformed_qa", "a QA needs qa_id");
                } else if (question != null && answer != null) {
                    item.questions.add(new QaPair(question, answer, List.of(answer), null, null, List.of(), null,
                            "vg", qaId));
                }
            }
        }
        result.items.addAll(items.values());
    }

    private void addObject(SourceItem item, JsonNode o, Map<String, List<String>> attributes,
            Map<String, Map<String, BoundingBox>> objects, ReadResult result) {
        String objectId = Json.id(o, "object_id");
        List<String> names = Json.strings(o, "names");
        String name = !names.isEmpty() ? names.get(0) : Json.text(o, "name");
        Map<String, BoundingBox> seen = objects.computeIfAbsent(item.sourceId, k -> new LinkedHashMap<>());
        if (objectId != null && seen.containsKey(objectId)) {
            return;
        }
        BoundingBox box = name == null ? null
                : box(name.strip(), o, "w", "h", objectId, attributes.getOrDefault(objectId, List.of()));
        if (objectId == null || box == null) {
            result.problem("object " + shorten(o), "annotation.malformed_box",
                    "an object needs object_id, a name and x, y, w, h as numbers");
            return;
        }
        seen.put(objectId, box);
        item.boxes.add(box);
    }

    private static BoundingBox box(String category, JsonNode o, String w, String h, String objectId,
            List<String> attributes) {
        Double x = Json.number(o, "x");
        Double y = Json.number(o, "y");
        Double width = Json.number(o, w);
        Double height = Json.number(o, h);
        if (x == null || y == null || width == null || height == null) {
            return null;
        }
        return new BoundingBox(category, x, y, width, height, objectId, attributes, BoxConventions.VG_XYWH);
    }

    private static SourceItem itemOf(JsonNode perImage, Map<String, SourceItem> items, String file,
            ReadResult result) {
        String id = Json.id(perImage, "image_id") != null ? Json.id(perImage, "image_id") : Json.id(perImage, "id");
        SourceItem item = id == null ? null : items.get(id);
        if (item == null) {
            result.problem(file + " image " + id, "annotation.unknown_image",
                    "annotations for an image that image_data.json does not list");
        }
        return item;
    }

    private static JsonNode optional(Path dir, String name, ReadResult result) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode root = Json.parseFile(file, result);
        if (root != null && !root.isArray()) {
            result.problem(name, "source.wrong_shape", "expected a JSON array with one entry per image");
            return null;
        }
        return root;
    }

    private static Iterable<JsonNode> iterate(JsonNode array) {
        return array == null ? List.of() : array;
    }

    static String shorten(JsonNode node) {
        String s = String.valueOf(node);
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
