package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Visual Genome v1.4 in its official files: {@code image_data.json} (required: size, url, {@code coco_id}),
 * {@code objects.json}, {@code attributes.json}, {@code relationships.json}, {@code region_descriptions.json},
 * {@code question_answers.json} and, if objects or relationships are not given, {@code scene_graphs.json}.
 * Objects become boxes ({@code vg-xywh}) named by their first name with their object id and attributes;
 * relationships become relations between object ids (an end that is no listed object is added as a box);
 * region descriptions become regions; QAs become QA pairs. The image file is {@code <image_id>.jpg}.
 * The files are streamed and joined per image on disk offsets (see {@link #stream}), so the real
 * multi-gigabyte files are read in bounded memory.
 */
public final class VisualGenomeFormat implements AnnotationFormat {

    @Override
    public String name() {
        return "vg";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        stream(paths, result);
        return result;
    }

    @Override
    public void stream(List<Path> paths, ItemSink sink) throws IOException {
        for (Path dir : paths) {
            Path imageData = dir.resolve("image_data.json");
            if (!Files.isRegularFile(imageData)) {
                throw new SourceFormatException("no image_data.json in " + dir + " (Visual Genome folder expected)");
            }
        }
        for (Path dir : paths) {
            streamFolder(dir, sink);
        }
    }

    /**
     * The per-image join of one folder. First every file is streamed once to note where each image's
     * entry lies (its byte range; nothing of it is kept), a file that cannot be read through being refused
     * as a whole as before; then, image by image in the order of {@code image_data.json}, its entries are
     * read back from each file and the item is handed on. Memory: a few numbers per image and entry, and
     * one image's annotations. The official files list images in the same order, so the second pass reads
     * each file front to back; any other order works too, with more seeking.
     */
    private void streamFolder(Path dir, ItemSink sink) throws IOException {
        EntryIndex images = indexImages(dir.resolve("image_data.json"), sink);
        if (images == null) {
            return;
        }
        boolean objectsGiven = Files.isRegularFile(dir.resolve("objects.json"));
        boolean relationsGiven = Files.isRegularFile(dir.resolve("relationships.json"));
        EntryIndex attributeFile = indexEntries(dir, "attributes.json", images, sink);
        EntryIndex objectFile = indexEntries(dir, "objects.json", images, sink);
        EntryIndex relationFile = indexEntries(dir, "relationships.json", images, sink);
        EntryIndex graphFile = objectsGiven && relationsGiven ? null
                : indexEntries(dir, "scene_graphs.json", images, sink);
        EntryIndex regionFile = indexEntries(dir, "region_descriptions.json", images, sink);
        EntryIndex qaFile = indexEntries(dir, "question_answers.json", images, sink);
        try (Files2 files = new Files2(dir, sink)) {
            for (int at = 0; at < images.images(); at++) {
                JsonNode image = files.first(images, "image_data.json", at);
                if (image == null) {
                    continue;
                }
                String id = images.id(at);
                SourceItem item = new SourceItem(name(), "v1.4", id, id + ".jpg");
                item.baseDir = dir;
                item.width = Json.positiveInt(image, "width");
                item.height = Json.positiveInt(image, "height");
                item.linkedCocoId = Json.id(image, "coco_id");
                item.credit = Json.text(image, "url");
                Map<String, List<String>> attributes = new HashMap<>();
                for (JsonNode perImage : files.all(attributeFile, "attributes.json", at)) {
                    for (JsonNode o : Json.array(perImage, "attributes")) {
                        String objectId = Json.id(o, "object_id");
                        if (objectId != null) {
                            attributes.computeIfAbsent(objectId, k -> new ArrayList<>())
                                    .addAll(Json.strings(o, "attributes"));
                        }
                    }
                }
                Map<String, BoundingBox> objects = new HashMap<>();
                for (JsonNode perImage : files.all(objectFile, "objects.json", at)) {
                    for (JsonNode o : Json.array(perImage, "objects")) {
                        addObject(item, o, attributes, objects, sink);
                    }
                }
                for (JsonNode perImage : files.all(relationFile, "relationships.json", at)) {
                    for (JsonNode r : Json.array(perImage, "relationships")) {
                        addRelationship(item, r, attributes, objects, sink);
                    }
                }
                for (JsonNode graph : files.all(graphFile, "scene_graphs.json", at)) {
                    addSceneGraph(item, graph, objectsGiven, relationsGiven, attributes, objects, sink);
                }
                for (JsonNode perImage : files.all(regionFile, "region_descriptions.json", at)) {
                    for (JsonNode r : Json.array(perImage, "regions")) {
                        addRegion(item, r, sink);
                    }
                }
                for (JsonNode perImage : files.all(qaFile, "question_answers.json", at)) {
                    for (JsonNode qa : Json.array(perImage, "qas")) {
                        addQa(item, qa, sink);
                    }
                }
                sink.item(item);
            }
        }
    }

    private static void addRelationship(SourceItem item, JsonNode r, Map<String, List<String>> attributes,
            Map<String, BoundingBox> objects, ItemSink result) {
        String relationId = Json.id(r, "relationship_id");
        String predicate = Json.text(r, "predicate");
        JsonNode subject = r.get("subject");
        JsonNode object = r.get("object");
        String subjectId = Json.id(subject, "object_id");
        String objectId = Json.id(object, "object_id");
        if (relationId == null || predicate == null || subjectId == null || objectId == null) {
            result.problem("relationship " + shorten(r), "annotation.malformed_relation",
                    "a relationship needs relationship_id, predicate and subject/object object_id");
            return;
        }
        addObject(item, subject, attributes, objects, result);
        addObject(item, object, attributes, objects, result);
        item.relations.add(new Relation(subjectId, predicate.strip(), objectId, relationId));
    }

    private static void addSceneGraph(SourceItem item, JsonNode graph, boolean objectsGiven, boolean relationsGiven,
            Map<String, List<String>> attributes, Map<String, BoundingBox> objects, ItemSink result) {
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

    private static void addRegion(SourceItem item, JsonNode r, ItemSink result) {
        String regionId = Json.id(r, "region_id");
        String phrase = Json.usableText(Json.text(r, "phrase"), "region " + regionId, result);
        BoundingBox box = box("region", r, "width", "height", regionId, List.of());
        if (regionId == null || box == null) {
            result.problem("region " + shorten(r), "annotation.malformed_region",
                    "a region needs region_id, phrase, x, y, width and height as numbers");
            return;
        }
        if (phrase != null) {
            item.regions.add(new Region(phrase, box, regionId));
        }
    }

    private static void addQa(SourceItem item, JsonNode qa, ItemSink result) {
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

    /**
     * {@code image_data.json}: each image checked (id, width, height; the first of a repeated id kept) and
     * its byte range noted. {@code null} (and a problem) if the file cannot be read through.
     */
    private static EntryIndex indexImages(Path file, ItemSink sink) {
        EntryIndex index = new EntryIndex(null);
        List<String[]> refused = new ArrayList<>();
        boolean ok = JsonStream.read(file, sink, parser -> {
            if (JsonStream.first(parser) != JsonToken.START_ARRAY) {
                throw JsonStream.refuse("source.wrong_shape", "expected a JSON array of images");
            }
            JsonToken t;
            while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw JsonStream.refuse("source.truncated_json", "the JSON ends early");
                }
                long start = parser.currentTokenLocation().getByteOffset();
                JsonNode image = parser.readValueAsTree();
                long end = parser.currentLocation().getByteOffset();
                String id = Json.id(image, "image_id") != null ? Json.id(image, "image_id") : Json.id(image, "id");
                if (id == null || Json.positiveInt(image, "width") == null
                        || Json.positiveInt(image, "height") == null) {
                    refused.add(new String[] {"image " + shorten(image), "annotation.malformed_image",
                            "an image needs image_id, width and height"});
                } else if (index.position(id) >= 0) {
                    refused.add(new String[] {"image " + id, "item.duplicate_in_source", "image_data.json lists image "
                            + id + " twice; the first entry is kept"});
                } else {
                    index.addImage(id);
                    index.add(index.images() - 1, start, end);
                }
            }
        });
        if (!ok) {
            return null;
        }
        refused.forEach(r -> sink.problem(r[0], r[1], r[2]));
        return index;
    }

    /**
     * One per-image file ({@code [{"image_id": 1, "objects": [...]}, ...]}): the byte range of each
     * image's entry. An entry for an image {@code image_data.json} does not list is refused
     * ({@code annotation.unknown_image}). {@code null} if the file is absent or cannot be read through
     * (a problem then says why).
     */
    private static EntryIndex indexEntries(Path dir, String name, EntryIndex images, ItemSink sink) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        EntryIndex index = new EntryIndex(images);
        List<String> unknown = new ArrayList<>();
        boolean ok = JsonStream.read(file, sink, parser -> {
            if (JsonStream.first(parser) != JsonToken.START_ARRAY) {
                throw JsonStream.refuse("source.wrong_shape", "expected a JSON array with one entry per image");
            }
            JsonStream.indexArray(parser, ID_FIELDS, (id, start, end) -> {
                int at = id == null ? -1 : images.position(id);
                if (at < 0) {
                    unknown.add(id);
                } else {
                    index.add(at, start, end);
                }
            });
        });
        if (!ok) {
            return null;
        }
        for (String id : unknown) {
            sink.problem(name + " image " + id, "annotation.unknown_image",
                    "annotations for an image that image_data.json does not list");
        }
        return index;
    }

    private static final String[] ID_FIELDS = {"image_id", "id"};

    /**
     * Where each image's entries lie in one file: for every entry its byte range, chained per image (an
     * image may have several entries), in primitive arrays: 16 bytes an entry, 8 an image. The index of
     * {@code image_data.json} also holds the image ids and their positions.
     */
    static final class EntryIndex {
        private final EntryIndex images;
        private final List<String> ids;
        private final Map<String, Integer> positions;
        private long[] starts = new long[1024];
        private int[] lengths = new int[1024];
        private int[] next = new int[1024];
        private int[] head;
        private int[] tail;
        private int entries;

        EntryIndex(EntryIndex images) {
            this.images = images;
            this.ids = images == null ? new ArrayList<>() : null;
            this.positions = images == null ? new HashMap<>() : null;
            int n = images == null ? 1024 : Math.max(1, images.images());
            head = new int[n];
            tail = new int[n];
            java.util.Arrays.fill(head, -1);
        }

        void addImage(String id) {
            positions.put(id, ids.size());
            ids.add(id);
            if (ids.size() > head.length) {
                int old = head.length;
                head = java.util.Arrays.copyOf(head, old * 2);
                tail = java.util.Arrays.copyOf(tail, old * 2);
                java.util.Arrays.fill(head, old, head.length, -1);
            }
        }

        int images() {
            return images != null ? images.images() : ids.size();
        }

        int position(String id) {
            Integer at = (images != null ? images.positions : positions).get(id);
            return at == null ? -1 : at;
        }

        String id(int at) {
            return (images != null ? images.ids : ids).get(at);
        }

        void add(int image, long start, long end) throws JsonStream.Unreadable {
            if (end - start > JsonStream.MAX_ENTRY) {
                throw JsonStream.refuse("source.value_too_large", "the entry of image " + id(image) + " has "
                        + (end - start) + " bytes, more than " + JsonStream.MAX_ENTRY);
            }
            if (entries == starts.length) {
                starts = java.util.Arrays.copyOf(starts, entries * 2);
                lengths = java.util.Arrays.copyOf(lengths, entries * 2);
                next = java.util.Arrays.copyOf(next, entries * 2);
            }
            starts[entries] = start;
            lengths[entries] = (int) (end - start);
            next[entries] = -1;
            if (head[image] < 0) {
                head[image] = entries;
            } else {
                next[tail[image]] = entries;
            }
            tail[image] = entries;
            entries++;
        }
    }

    /** The folder's files open for reading entries back by their ranges. */
    private static final class Files2 implements AutoCloseable {
        private final Path dir;
        private final Map<String, FileChannel> open = new HashMap<>();
        private final java.util.Set<String> failed = new java.util.HashSet<>();
        private final ItemSink sink;

        Files2(Path dir, ItemSink sink) {
            this.dir = dir;
            this.sink = sink;
        }

        List<JsonNode> all(EntryIndex index, String name, int image) throws IOException {
            if (index == null || index.head[image] < 0 || failed.contains(name)) {
                return List.of();
            }
            FileChannel channel = open.get(name);
            if (channel == null) {
                channel = FileChannel.open(dir.resolve(name), StandardOpenOption.READ);
                open.put(name, channel);
            }
            List<JsonNode> out = new ArrayList<>();
            try {
                for (int e = index.head[image]; e >= 0; e = index.next[e]) {
                    out.add(JsonStream.readRange(channel, index.starts[e], index.starts[e] + index.lengths[e]));
                }
            } catch (IOException e) {
                // Checked whole when indexed, so only a file changed since can get here: the rest of it is
                // not used, and a problem says why.
                Json.classify(e, name, sink);
                failed.add(name);
                index.head[image] = -1;
                return List.of();
            }
            return out;
        }

        JsonNode first(EntryIndex index, String name, int image) throws IOException {
            List<JsonNode> all = all(index, name, image);
            return all.isEmpty() ? null : all.get(0);
        }

        @Override
        public void close() throws IOException {
            for (FileChannel c : open.values()) {
                c.close();
            }
        }
    }

    private static void addObject(SourceItem item, JsonNode o, Map<String, List<String>> attributes,
            Map<String, BoundingBox> seen, ItemSink result) {
        String objectId = Json.id(o, "object_id");
        List<String> names = Json.strings(o, "names");
        String name = !names.isEmpty() ? names.get(0) : Json.text(o, "name");
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

    static String shorten(JsonNode node) {
        String s = String.valueOf(node);
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
