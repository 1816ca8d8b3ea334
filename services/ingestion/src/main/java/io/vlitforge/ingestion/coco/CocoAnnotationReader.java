package io.vlitforge.ingestion.coco;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlitforge.ingestion.formats.GroupSpill;
import io.vlitforge.ingestion.formats.JsonStream;
import io.vlitforge.ingestion.coco.CocoDataset.AnnotationProblem;
import io.vlitforge.ingestion.coco.CocoDataset.CocoBox;
import io.vlitforge.ingestion.coco.CocoDataset.CocoCaption;
import io.vlitforge.ingestion.coco.CocoDataset.CocoImage;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.Licence;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads COCO's official {@code captions_<split>.json} and {@code instances_<split>.json}. Entries that
 * break the format are not fatal: each becomes an {@link AnnotationProblem} and the rest is used.
 * A file that is not JSON at all, or has no {@code images} array, is fatal for its split. The files are
 * streamed with bounded memory ({@link #stream}).
 */
public final class CocoAnnotationReader {

    private static final Pattern ANNOTATION_FILE = Pattern.compile("(captions|instances)_(.+)\\.json");
    /** COCO boxes are float pixels; allow rounding at the image border. */
    private static final double BORDER_TOLERANCE = 1.0;

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

    /** One image of a split with its captions and boxes, as {@link #stream} hands it on. */
    public record CocoImageRecord(CocoImage image, List<CocoCaption> captions, List<CocoBox> boxes) {
    }

    /** A whole split in memory (small sources and tests); {@link #stream} is the bounded-memory way. */
    public CocoDataset read(Path annotationsDir, String split) throws IOException {
        List<CocoImage> images = new ArrayList<>();
        Map<Long, List<CocoCaption>> captions = new HashMap<>();
        Map<Long, List<CocoBox>> boxes = new HashMap<>();
        List<AnnotationProblem> problems = new ArrayList<>();
        stream(annotationsDir, split, r -> {
            images.add(r.image());
            if (!r.captions().isEmpty()) {
                captions.put(r.image().id(), r.captions());
            }
            if (!r.boxes().isEmpty()) {
                boxes.put(r.image().id(), r.boxes());
            }
        }, problems::add);
        return new CocoDataset(split, List.copyOf(images), captions, boxes, problems);
    }

    /**
     * Streams one split: both files are read token by token (Jackson {@link JsonParser}), each image and
     * each annotation checked on its own and spilled to disk grouped by image ({@link GroupSpill}, a grace
     * hash join: COCO lists annotations in any order, not by image); then the groups are read back a bucket
     * at a time and each image is handed on with its captions and boxes. Memory: one bucket, the licences
     * and the categories, whatever the size of the files (instances_train2017.json is 450 MB; the
     * segmentation polygons, not used, are dropped before spilling). A file that is not JSON or has no
     * {@code images} array fails the split before anything is handed on.
     */
    public void stream(Path annotationsDir, String split, Consumer<CocoImageRecord> onImage,
            Consumer<AnnotationProblem> onProblem) throws IOException {
        Path captionsFile = annotationsDir.resolve("captions_" + split + ".json");
        Path instancesFile = annotationsDir.resolve("instances_" + split + ".json");
        List<Path> files = new ArrayList<>();
        for (Path f : List.of(captionsFile, instancesFile)) {
            if (Files.exists(f)) {
                files.add(f);
            }
        }
        List<Map<Long, Licence>> licences = List.of(new HashMap<>(), new HashMap<>());
        Map<Long, String> categories = new HashMap<>();
        try (GroupSpill spill = GroupSpill.forSourceBytes(GroupSpill.sizeOf(files))) {
            if (Files.exists(captionsFile)) {
                spillFile(captionsFile, 0, spill, licences.get(0), categories, onProblem);
            }
            if (Files.exists(instancesFile)) {
                spillFile(instancesFile, 1, spill, licences.get(1), categories, onProblem);
            }
            spill.forEachGroup((key, entries) -> emit(entries, licences, categories, onImage, onProblem));
        }
    }

    private static final int IMAGE = 0;
    private static final int CAPTION = 2;
    private static final int BOX = 3;

    /** One file's images and annotations, each checked on its own, into the spill. */
    private static void spillFile(Path file, int fileIndex, GroupSpill spill, Map<Long, Licence> licences,
            Map<Long, String> categories, Consumer<AnnotationProblem> problems) throws IOException {
        String name = file.getFileName().toString();
        boolean sawImages = false;
        try (JsonParser parser = JsonStream.open(file)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new CocoFormatException(name + " has no \"images\" array: not a COCO annotation file");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("licenses") && value == JsonToken.START_ARRAY) {
                    for (JsonNode l : (JsonNode) parser.readValueAsTree()) {
                        if (l.path("id").canConvertToLong()) {
                            licences.put(l.get("id").asLong(), new Licence(text(l, "name"), text(l, "url")));
                        }
                    }
                } else if (field.equals("categories") && value == JsonToken.START_ARRAY && fileIndex == 1) {
                    for (JsonNode c : (JsonNode) parser.readValueAsTree()) {
                        if (c.path("id").canConvertToLong() && text(c, "name") != null) {
                            categories.put(c.get("id").asLong(), c.get("name").asText());
                        }
                    }
                } else if (field.equals("images") && value == JsonToken.START_ARRAY) {
                    sawImages = true;
                    JsonStream.forEachElement(parser, image -> spillImage(image, fileIndex, spill, problems));
                } else if (field.equals("annotations") && value == JsonToken.START_ARRAY) {
                    JsonStream.forEachElement(parser, a -> {
                        if (fileIndex == 0) {
                            spillCaption(a, spill, problems);
                        } else {
                            spillBox(a, spill, problems);
                        }
                    });
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JsonProcessingException | CharConversionException e) {
            throw new CocoFormatException(name + " is not valid JSON: " + (e instanceof JsonProcessingException j
                    ? j.getOriginalMessage() : e.getMessage()));
        }
        if (!sawImages) {
            throw new CocoFormatException(name + " has no \"images\" array: not a COCO annotation file");
        }
    }

    private static void spillImage(JsonNode image, int fileIndex, GroupSpill spill,
            Consumer<AnnotationProblem> problems) throws IOException {
        JsonNode id = image.path("id");
        String fileName = text(image, "file_name");
        if (!id.canConvertToLong() || fileName == null || fileName.isBlank()
                || !image.path("width").canConvertToInt() || !image.path("height").canConvertToInt()
                || image.path("width").asInt() <= 0 || image.path("height").asInt() <= 0) {
            problems.accept(new AnnotationProblem("image " + shortText(image), "annotation.malformed_image",
                    "an images[] entry needs a numeric id, a file_name and positive width and height"));
            return;
        }
        if (fileName.contains("..") || fileName.startsWith("/")) {
            problems.accept(new AnnotationProblem(fileName, "annotation.unsafe_file_name",
                    "file_name must be a plain name inside the images folder"));
            return;
        }
        spill.add(Long.toString(id.asLong()), IMAGE + fileIndex, image);
    }

    private static void spillCaption(JsonNode a, GroupSpill spill, Consumer<AnnotationProblem> problems)
            throws IOException {
        String item = "caption " + a.path("id").asText("?");
        String caption = text(a, "caption");
        if (!a.path("id").canConvertToLong() || !a.path("image_id").canConvertToLong() || caption == null) {
            problems.accept(new AnnotationProblem(item, "annotation.malformed_caption",
                    "a caption annotation needs a numeric id, an image_id and a caption string"));
            return;
        }
        if (caption.strip().isEmpty()) {
            problems.accept(new AnnotationProblem(item, "annotation.empty_caption", "the caption is empty"));
            return;
        }
        spill.add(Long.toString(a.get("image_id").asLong()), CAPTION, a);
    }

    private static void spillBox(JsonNode a, GroupSpill spill, Consumer<AnnotationProblem> problems)
            throws IOException {
        String item = "instance " + a.path("id").asText("?");
        JsonNode bbox = a.path("bbox");
        if (!a.path("id").canConvertToLong() || !a.path("image_id").canConvertToLong()
                || !a.path("category_id").canConvertToLong() || !bbox.isArray() || bbox.size() != 4
                || !allNumbers(bbox)) {
            problems.accept(new AnnotationProblem(item, "annotation.malformed_box",
                    "an instance annotation needs numeric id, image_id, category_id and bbox [x, y, width, height]"));
            return;
        }
        if (a instanceof ObjectNode o) {
            o.remove("segmentation");
        }
        spill.add(Long.toString(a.get("image_id").asLong()), BOX, a);
    }

    /** One image's group: its entry (the first listed), its captions and boxes checked against it. */
    private static void emit(List<GroupSpill.Entry> entries, List<Map<Long, Licence>> licences,
            Map<Long, String> categories, Consumer<CocoImageRecord> onImage, Consumer<AnnotationProblem> problems) {
        CocoImage image = null;
        for (GroupSpill.Entry e : entries) {
            if (e.tag() == IMAGE || e.tag() == IMAGE + 1) {
                JsonNode i = e.node();
                Licence licence = i.path("license").canConvertToLong()
                        ? licences.get(e.tag() - IMAGE).get(i.get("license").asLong()) : null;
                image = new CocoImage(i.get("id").asLong(), text(i, "file_name"), i.get("width").asInt(),
                        i.get("height").asInt(), licence);
                break;
            }
        }
        List<CocoCaption> captions = new ArrayList<>();
        List<CocoBox> boxes = new ArrayList<>();
        for (GroupSpill.Entry e : entries) {
            if (e.tag() != CAPTION && e.tag() != BOX) {
                continue;
            }
            JsonNode a = e.node();
            long imageId = a.get("image_id").asLong();
            String item = (e.tag() == CAPTION ? "caption " : "instance ") + a.path("id").asText("?");
            if (image == null) {
                problems.accept(new AnnotationProblem(item, "annotation.unknown_image",
                        "image_id " + imageId + " is not in the images array"));
                continue;
            }
            if (e.tag() == CAPTION) {
                captions.add(new CocoCaption(a.get("id").asLong(), a.get("caption").asText().strip()));
                continue;
            }
            String category = categories.get(a.get("category_id").asLong());
            if (category == null) {
                problems.accept(new AnnotationProblem(item, "annotation.unknown_category",
                        "category_id " + a.get("category_id").asLong() + " is not in the categories array"));
                continue;
            }
            JsonNode bbox = a.get("bbox");
            double x = bbox.get(0).asDouble();
            double y = bbox.get(1).asDouble();
            double w = bbox.get(2).asDouble();
            double h = bbox.get(3).asDouble();
            if (w <= 0 || h <= 0 || x < -BORDER_TOLERANCE || y < -BORDER_TOLERANCE
                    || x + w > image.width() + BORDER_TOLERANCE || y + h > image.height() + BORDER_TOLERANCE) {
                problems.accept(new AnnotationProblem(item, "annotation.box_out_of_bounds",
                        "bbox [" + x + ", " + y + ", " + w + ", " + h + "] does not fit the " + image.width() + "x"
                                + image.height() + " image " + image.fileName()));
                continue;
            }
            boxes.add(new CocoBox(a.get("id").asLong(), new BoundingBox(category, x, y, w, h)));
        }
        if (image != null) {
            onImage.accept(new CocoImageRecord(image, captions, boxes));
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
