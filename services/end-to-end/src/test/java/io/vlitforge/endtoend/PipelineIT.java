package io.vlitforge.endtoend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.GetObjectArgs;
import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole pipeline: the four services as separate processes against the real Kafka broker, PostgreSQL
 * and S3 server that {@code bin/vlit test} starts; nothing is stubbed. Ingests the real COCO fixture
 * (80 images), publishes a release, downloads it and checks it against the images and the database.
 * The run has its own database, bucket and topic prefix, so earlier runs cannot leak into it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PipelineStack stack;
    /** What the first test saw, for the log test: the ingest run, and every released sample with its image. */
    private static String ingestRun;
    private static final Map<String, String> released = new LinkedHashMap<>();

    @BeforeAll
    static void startServices() throws Exception {
        // Debug level for the project's loggers: a line per image generated and per sample decided.
        stack = PipelineStack.start("e2e", "vlit_e2e", "e2e-logs", Map.of("VLIT_LOG_LEVEL", "DEBUG"));
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void cocoImagesFlowThroughAllFourServicesIntoAValidLlavaRelease() throws Exception {
        JsonNode ingest = stack.ingestCocoFixture();
        ingestRun = ingest.get("runId").asText();
        assertEquals(80, ingest.get("imagesNew").asInt());
        assertEquals(0, ingest.get("imagesRejected").asInt());

        Map<String, JsonNode> stats = stack.awaitQuiet(80);
        long generated = stats.get("generation").get("samples").asLong();
        assertEquals(240, generated, "three tasks for every COCO image (all have captions and boxes)");

        JsonNode release = stack.post("publication", "/releases", Map.of("name", "e2e"), 201);
        byte[] llavaBytes = PipelineStack.download(release.get("llavaUrl").asText());
        JsonNode llava = JSON.readTree(llavaBytes);
        JsonNode manifest = JSON.readTree(PipelineStack.download(release.get("manifestUrl").asText()));
        String prefix = release.get("prefix").asText();

        // The LLaVA file parses and every entry has LLaVA's shape.
        assertTrue(llava.isArray());
        Set<String> sampleIds = new HashSet<>();
        Set<String> images = new HashSet<>();
        for (JsonNode entry : llava) {
            Set<String> keys = new HashSet<>();
            entry.fieldNames().forEachRemaining(keys::add);
            assertEquals(Set.of("id", "image", "conversations"), keys);
            assertTrue(sampleIds.add(entry.get("id").asText()), "sample ids are unique");
            JsonNode turns = entry.get("conversations");
            assertTrue(turns.size() >= 2 && turns.size() % 2 == 0);
            int imageTokens = 0;
            for (int i = 0; i < turns.size(); i++) {
                assertEquals(i % 2 == 0 ? "human" : "gpt", turns.get(i).get("from").asText());
                String value = turns.get(i).get("value").asText();
                assertFalse(value.isBlank());
                imageTokens += value.split("<image>", -1).length - 1;
            }
            assertEquals(1, imageTokens);
            assertTrue(turns.get(0).get("value").asText().startsWith("<image>\n"));
            images.add(entry.get("image").asText());
            released.put(entry.get("id").asText(), imageId(entry.get("image").asText()));
        }

        // Every referenced image is in the release, with the bytes its name promises.
        for (String image : images) {
            String sha = Ids.sha256Hex(read(prefix + "images/" + image));
            String expected = image.substring(image.lastIndexOf('/') + 1, image.lastIndexOf('.'));
            assertEquals(expected, sha, image);
            assertEquals(sha, manifest.get("files").get("images/" + image).asText());
        }
        assertEquals(80, images.size());
        assertEquals(Ids.sha256Hex(llavaBytes), manifest.get("files").get("llava.json").asText());

        // Counts agree with the database of every service.
        assertEquals(llava.size(), manifest.get("samples").asLong());
        assertEquals(llava.size(), stack.count("select count(*) from publication.accepted_samples"));
        assertEquals(llava.size(), stack.count("select count(*) from filtering.verdicts where outcome = 'ACCEPTED'"));
        assertEquals(generated, stack.count("select count(*) from filtering.verdicts"));
        assertEquals(generated, stack.count("select count(*) from generation.generated_samples"));
        assertEquals(80, stack.count("select count(*) from ingestion.images"));
        for (Iterator<Map.Entry<String, JsonNode>> t = manifest.get("samplesByTask").fields(); t.hasNext(); ) {
            Map.Entry<String, JsonNode> task = t.next();
            assertEquals(task.getValue().asLong(), stack.count("select count(*) from publication.accepted_samples "
                    + "where task = '" + task.getKey() + "'"), task.getKey());
        }
        long licensed = 0;
        for (Iterator<Map.Entry<String, JsonNode>> l = manifest.get("imagesByLicence").fields(); l.hasNext(); ) {
            Map.Entry<String, JsonNode> licence = l.next();
            assertFalse(licence.getKey().equals("unknown"), "every COCO image carries its licence");
            licensed += licence.getValue().asLong();
        }
        assertEquals(80, licensed);

        // A second ingest of the same folder adds nothing anywhere.
        String before = dataCounts(stack.stats());
        JsonNode again = stack.ingestCocoFixture();
        assertEquals(0, again.get("imagesNew").asInt());
        assertEquals(80, again.get("imagesAlreadyPresent").asInt());
        assertEquals(0, again.get("emitted").asInt());
        Thread.sleep(3000);
        assertEquals(before, dataCounts(stack.stats()), "nothing moved after the second ingest");

        // Rebuilding from the same accepted set gives identical bytes.
        JsonNode rebuilt = stack.post("publication", "/releases", Map.of("name", "e2e"), 201);
        assertEquals("v2", rebuilt.get("version").asText());
        assertArrayEquals(llavaBytes, PipelineStack.download(rebuilt.get("llavaUrl").asText()));
    }

    /**
     * The services run packaged, as in production, so they log JSON: every line of every log parses as one
     * JSON object naming its service, and the lines about an ingest run, an image, a sample and a release
     * carry that id as a field of their {@code mdc} object (the ids the first test saw).
     */
    @Test
    @Order(2)
    void everyServiceLogsJsonLinesThatCarryTheIdsOfWhatTheyAreAbout() throws Exception {
        assertFalse(released.isEmpty() || ingestRun == null, "the pipeline test runs first and records its ids");
        Map<String, List<JsonNode>> logs = new HashMap<>();
        for (String service : ServiceProcesses.SERVICES) {
            List<JsonNode> lines = new ArrayList<>();
            int number = 0;
            for (String line : Files.readAllLines(stack.services.log(service))) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode record;
                try {
                    record = JSON.readTree(line);
                } catch (IOException e) {
                    throw new AssertionError(service + ".log line " + number + " is not JSON: " + line, e);
                }
                assertTrue(record.isObject(), service + ".log line " + number + ": " + line);
                assertEquals(service, record.path("service").asText(), service + ".log line " + number);
                for (String field : List.of("timestamp", "level", "loggerName", "message")) {
                    assertTrue(record.hasNonNull(field), service + ".log line " + number + " has " + field + ": " + line);
                }
                lines.add(record);
            }
            assertFalse(lines.isEmpty(), service + " logged nothing");
            logs.put(service, lines);
        }

        JsonNode run = first(logs.get("ingestion"), l -> ingestRun.equals(mdc(l, "runId")));
        assertTrue(run.path("message").asText().contains(ingestRun), "the run summary: " + run);

        Map.Entry<String, String> sample = released.entrySet().iterator().next();
        JsonNode generated = first(logs.get("generation"), l -> sample.getValue().equals(mdc(l, "imageId")));
        assertEquals("adaption", mdc(generated, "step"), generated.toString());
        assertTrue(generated.path("message").asText().contains(sample.getValue()), generated.toString());

        JsonNode decided = first(logs.get("filtering"), l -> sample.getKey().equals(mdc(l, "sampleId")));
        assertEquals(sample.getValue(), mdc(decided, "imageId"), "the decision names the sample's image: " + decided);
        assertEquals("filtering", mdc(decided, "step"), decided.toString());
        assertTrue(decided.path("message").asText().contains("accepted"), "a released sample was accepted: " + decided);
        // Ids are set around the code that handles one record and removed after it: a line outside that code
        // (the service starting, say) carries none.
        JsonNode started = first(logs.get("filtering"), l -> l.path("message").asText().contains("started in"));
        assertTrue(started.path("mdc").isMissingNode() || started.path("mdc").isEmpty(), started.toString());

        first(logs.get("publication"), l -> "e2e/v1".equals(mdc(l, "release")));
    }

    private static JsonNode first(List<JsonNode> lines, java.util.function.Predicate<JsonNode> matching) {
        return lines.stream().filter(matching).findFirst().orElseThrow(() -> new AssertionError(
                "no such log line among " + lines.size() + "; the last ones: "
                        + lines.subList(Math.max(0, lines.size() - 5), lines.size())));
    }

    private static String mdc(JsonNode line, String field) {
        return line.path("mdc").path(field).asText(null);
    }

    /** The image id (sha256) in a release's image path {@code aa/bb/<sha256>.<ext>}. */
    private static String imageId(String path) {
        return path.substring(path.lastIndexOf('/') + 1, path.lastIndexOf('.'));
    }

    /** Everything that counts data (not import runs or releases, which a second ingest is expected to add to). */
    private static String dataCounts(Map<String, JsonNode> s) {
        return s.get("ingestion").get("images") + " " + s.get("ingestion").get("imageSources") + " "
                + s.get("generation") + " " + s.get("filtering") + " " + s.get("publication").get("accepted");
    }

    private static byte[] read(String key) throws Exception {
        try (InputStream in = stack.s3.getObject(GetObjectArgs.builder().bucket(stack.bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }
}
