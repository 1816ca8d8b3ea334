package io.vlitforge.ingestion.coco;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.ingestion.coco.CocoDataset.AnnotationProblem;
import io.vlitforge.ingestion.coco.CocoDataset.CocoBox;
import io.vlitforge.ingestion.coco.CocoDataset.CocoCaption;
import io.vlitforge.ingestion.coco.CocoDataset.CocoImage;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.Licence;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads COCO's official {@code captions_<split>.json} and {@code instances_<split>.json}. Entries that
 * break the format are not fatal: each becomes an {@link AnnotationProblem} and the rest is used.
 * A file that is not JSON at all, or has no {@code images} array, is fatal for its split.
 */
public final class CocoAnnotationReader {

    private static final Pattern ANNOTATION_FILE = Pattern.compile("(captions|instances)_(.+)\\.json");
    /** COCO boxes are float pixels; allow rounding at the image border. */
    private static final double BORDER_TOLERANCE = 1.0;

    private final ObjectMapper json = new ObjectMapper();

    /** The splits found in a folder, e.g. {@code train2017}, sorted. */
    public List<String> splits(Path annotationsDir) throws IOException {
        if (!Files.isDirectory(annotationsDir)) {
            throw new CocoFormatException("annotations folder not found: " + annotationsDir);
        }
        TreeSet<String> splits = new TreeSet<>();
        try (Stream<Path> files = Files.list(annotationsDir)) {
            files.forEach(file -> {
                Matcher m = ANNOTATION_FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    splits.add(m.group(2));
                }
            });
        }
        if (splits.isEmpty()) {
            throw new CocoFormatException("no captions_*.json or instances_*.json in " + annotationsDir);
        }
        return List.copyOf(splits);
    }

    public CocoDataset read(Path annotationsDir, String split) throws IOException {
        Path captionsFile = annotationsDir.resolve("captions_" + split + ".json");
        Path instancesFile = annotationsDir.resolve("instances_" + split + ".json");
        List<AnnotationProblem> problems = new ArrayList<>();
        Map<Long, CocoImage> images = new LinkedHashMap<>();
        Map<Long, List<CocoCaption>> captions = new HashMap<>();
        Map<Long, List<CocoBox>> boxes = new HashMap<>();

        JsonNode captionsRoot = Files.exists(captionsFile) ? parse(captionsFile) : null;
        JsonNode instancesRoot = Files.exists(instancesFile) ? parse(instancesFile) : null;
        for (JsonNode root : new JsonNode[] {captionsRoot, instancesRoot}) {
            if (root != null) {
                readImages(root, images, problems);
            }
        }
        if (captionsRoot != null) {
            readCaptions(captionsRoot, images, captions, problems);
        }
        if (instancesRoot != null) {
            readBoxes(instancesRoot, images, boxes, problems);
        }
        return new CocoDataset(split, List.copyOf(images.values()), captions, boxes, problems);
    }

    private JsonNode parse(Path file) throws IOException {
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CocoFormatException(file.getFileName() + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("images").isArray()) {
            throw new CocoFormatException(file.getFileName() + " has no \"images\" array: not a COCO annotation file");
        }
        return root;
    }

    private static void readImages(JsonNode root, Map<Long, CocoImage> images, List<AnnotationProblem> problems) {
        Map<Long, Licence> licences = new HashMap<>();
        for (JsonNode l : root.path("licenses")) {
            if (l.path("id").canConvertToLong()) {
                licences.put(l.get("id").asLong(), new Licence(text(l, "name"), text(l, "url")));
            }
        }
        for (JsonNode image : root.path("images")) {
            JsonNode id = image.path("id");
            String fileName = text(image, "file_name");
            if (!id.canConvertToLong() || fileName == null || fileName.isBlank()
                    || !image.path("width").canConvertToInt() || !image.path("height").canConvertToInt()
                    || image.path("width").asInt() <= 0 || image.path("height").asInt() <= 0) {
                problems.add(new AnnotationProblem("image " + shortText(image), "annotation.malformed_image",
                        "an images[] entry needs a numeric id, a file_name and positive width and height"));
                continue;
            }
            if (fileName.contains("..") || fileName.startsWith("/")) {
                problems.add(new AnnotationProblem(fileName, "annotation.unsafe_file_name",
                        "file_name must be a plain name inside the images folder"));
                continue;
            }
            Licence licence = image.path("license").canConvertToLong()
                    ? licences.get(image.get("license").asLong()) : null;
            images.putIfAbsent(id.asLong(), new CocoImage(id.asLong(), fileName, image.get("width").asInt(),
                    image.get("height").asInt(), licence));
        }
    }

    private static void readCaptions(JsonNode root, Map<Long, CocoImage> images, Map<Long, List<CocoCaption>> out,
            List<AnnotationProblem> problems) {
        for (JsonNode a : root.path("annotations")) {
            String item = "caption " + a.path("id").asText("?");
            String caption = text(a, "caption");
            if (!a.path("id").canConvertToLong() || !a.path("image_id").canConvertToLong() || caption == null) {
                problems.add(new AnnotationProblem(item, "annotation.malformed_caption",
                        "a caption annotation needs a numeric id, an image_id and a caption string"));
                continue;
            }
            String trimmed = caption.strip();
            if (trimmed.isEmpty()) {
                problems.add(new AnnotationProblem(item, "annotation.empty_caption", "the caption is empty"));
                continue;
            }
            long imageId = a.get("image_id").asLong();
            if (!images.containsKey(imageId)) {
                problems.add(new AnnotationProblem(item, "annotation.unknown_image",
                        "image_id " + imageId + " is not in the images array"));
                continue;
            }
            out.computeIfAbsent(imageId, k -> new ArrayList<>()).add(new CocoCaption(a.get("id").asLong(), trimmed));
        }
    }

    private static void readBoxes(JsonNode root, Map<Long, CocoImage> images, Map<Long, List<CocoBox>> out,
            List<AnnotationProblem> problems) {
        Map<Long, String> categories = new HashMap<>();
        for (JsonNode c : root.path("categories")) {
            if (c.path("id").canConvertToLong() && text(c, "name") != null) {
                categories.put(c.get("id").asLong(), c.get("name").asText());
            }
        }
        for (JsonNode a : root.path("annotations")) {
            String item = "instance " + a.path("id").asText("?");
            JsonNode bbox = a.path("bbox");
            if (!a.path("id").canConvertToLong() || !a.path("image_id").canConvertToLong()
                    || !a.path("category_id").canConvertToLong() || !bbox.isArray() || bbox.size() != 4
                    || !allNumbers(bbox)) {
                problems.add(new AnnotationProblem(item, "annotation.malformed_box",
                        "an instance annotation needs numeric id, image_id, category_id and bbox [x, y, width, height]"));
                continue;
            }
            long imageId = a.get("image_id").asLong();
            CocoImage image = images.get(imageId);
            if (image == null) {
                problems.add(new AnnotationProblem(item, "annotation.unknown_image",
                        "image_id " + imageId + " is not in the images array"));
                continue;
            }
            String category = categories.get(a.get("category_id").asLong());
            if (category == null) {
                problems.add(new AnnotationProblem(item, "annotation.unknown_category",
                        "category_id " + a.get("category_id").asLong() + " is not in the categories array"));
                continue;
            }
            double x = bbox.get(0).asDouble();
            double y = bbox.get(1).asDouble();
            double w = bbox.get(2).asDouble();
            double h = bbox.get(3).asDouble();
            if (w <= 0 || h <= 0 || x < -BORDER_TOLERANCE || y < -BORDER_TOLERANCE
                    || x + w > image.width() + BORDER_TOLERANCE || y + h > image.height() + BORDER_TOLERANCE) {
                problems.add(new AnnotationProblem(item, "annotation.box_out_of_bounds",
                        "bbox [" + x + ", " + y + ", " + w + ", " + h + "] does not fit the " + image.width() + "x"
                                + image.height() + " image " + image.fileName()));
                continue;
            }
            out.computeIfAbsent(imageId, k -> new ArrayList<>())
                    .add(new CocoBox(a.get("id").asLong(), new BoundingBox(category, x, y, w, h)));
        }
    }

    private static boolean allNumbers(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isNumber()) {
                return false;
            }
        }
        return true;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
    }

    private static String shortText(JsonNode node) {
        String s = node.toString();
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
