package io.vlitforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.objectstore.ObjectKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Realistic {@code images.ingested} events for load: the real captions and boxes of the COCO fixture,
 * cycled, each under a fresh image id so that every event makes new samples.
 */
final class CocoEvents {

    private record Annotations(List<String> captions, List<BoundingBox> boxes, Licence licence, String fileName) {
    }

    private final List<Annotations> images = new ArrayList<>();

    CocoEvents(Path cocoDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode captions = json.readTree(cocoDir.resolve("annotations/captions_train2017.json").toFile());
        JsonNode instances = json.readTree(cocoDir.resolve("annotations/instances_train2017.json").toFile());
        Map<Long, String> categories = new HashMap<>();
        instances.get("categories").forEach(c -> categories.put(c.get("id").asLong(), c.get("name").asText()));
        Map<Long, Licence> licences = new HashMap<>();
        captions.get("licenses").forEach(l -> licences.put(l.get("id").asLong(),
                new Licence(l.get("name").asText(), l.get("url").asText())));
        Map<Long, List<String>> captionsOf = new HashMap<>();
        captions.get("annotations").forEach(a -> captionsOf.computeIfAbsent(a.get("image_id").asLong(),
                k -> new ArrayList<>()).add(a.get("caption").asText()));
        Map<Long, List<BoundingBox>> boxesOf = new HashMap<>();
        instances.get("annotations").forEach(a -> {
            JsonNode b = a.get("bbox");
            boxesOf.computeIfAbsent(a.get("image_id").asLong(), k -> new ArrayList<>())
                    .add(new BoundingBox(categories.get(a.get("category_id").asLong()), b.get(0).asDouble(),
                            b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()));
        });
        captions.get("images").forEach(i -> {
            long id = i.get("id").asLong();
            images.add(new Annotations(captionsOf.getOrDefault(id, List.of()), boxesOf.getOrDefault(id, List.of()),
                    licences.get(i.get("license").asLong()), i.get("file_name").asText()));
        });
    }

    /** The n-th event of a run: annotations of fixture image n mod 80, a unique image id. */
    ImageIngested event(String runId, int n) {
        Annotations a = images.get(n % images.size());
        String imageId = Ids.sha256Hex(runId + "/" + n);
        return new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, ObjectKeys.image(imageId, "jpeg"), "jpeg",
                640, 480, a.captions(), a.boxes(), a.licence(),
                new SourceRef("bench", "load", Integer.toString(n), a.fileName()), runId);
    }
}
