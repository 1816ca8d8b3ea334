package io.vlitforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.vlitforge.shared.objectstore.MinioClients;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark 4, ingestion: a COCO import through the ingestion service (read, check, hash, store, record,
 * announce) against raw object-store PUTs of the same files with the same client settings and the same
 * number of threads, both measured in this run. Reports images/s and their ratio.
 *
 * <p>The fixture has 80 images; to import more, each copy of a JPEG gets a different number of zero
 * bytes after its end marker (allowed padding), which makes every file a distinct image.
 */
public final class IngestionBenchmark {

    public static void main(String[] args) throws Exception {
        String ingestionUrl = args[0];
        String s3Endpoint = args[1];
        String accessKey = args[2];
        String secretKey = args[3];
        String bucket = args[4];
        Path coco = Path.of(args[5]);
        Path work = Path.of(args[6]);
        int images = Integer.parseInt(args[7]);
        int threads = Integer.parseInt(args[8]);

        List<Path> files = buildFolder(coco, work, images);
        double ingestion = importFolder(ingestionUrl, work, images);
        double raw = rawPuts(MinioClients.create(s3Endpoint, accessKey, secretKey), bucket, files, threads);

        System.err.printf("raw object-store PUT (%d threads): %.1f images/s%n", threads, raw);
        System.err.printf("ingestion import: %.1f images/s%n", ingestion);
        System.err.printf("ratio: %.3f%n", ingestion / raw);
        System.out.printf("{\"benchmark\":\"ingestion\",\"images\":%d,\"threads\":%d,\"rawPutsPerSecond\":%.1f,"
                + "\"ingestedPerSecond\":%.1f,\"ratio\":%.4f}%n", images, threads, raw, ingestion, ingestion / raw);
    }

    /** Writes a COCO folder of {@code images} distinct JPEGs with the fixture's real annotations. */
    private static List<Path> buildFolder(Path coco, Path work, int images) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode captions = json.readTree(coco.resolve("annotations/captions_train2017.json").toFile());
        JsonNode instances = json.readTree(coco.resolve("annotations/instances_train2017.json").toFile());
        Path imageDir = Files.createDirectories(work.resolve("images"));
        Path annotationDir = Files.createDirectories(work.resolve("annotations"));
        ObjectNode outCaptions = json.createObjectNode();
        ObjectNode outInstances = json.createObjectNode();
        outCaptions.set("licenses", captions.get("licenses"));
        outInstances.set("licenses", captions.get("licenses"));
        outInstances.set("categories", instances.get("categories"));
        ArrayNode imageList = json.createArrayNode();
        ArrayNode captionList = outCaptions.putArray("annotations");
        ArrayNode boxList = outInstances.putArray("annotations");
        List<JsonNode> sources = new ArrayList<>();
        captions.get("images").forEach(sources::add);
        List<Path> files = new ArrayList<>();
        long annotationId = 1;
        for (int n = 0; n < images; n++) {
            JsonNode source = sources.get(n % sources.size());
            long sourceId = source.get("id").asLong();
            byte[] bytes = Files.readAllBytes(coco.resolve("images").resolve(source.get("file_name").asText()));
            String fileName = String.format("bench_%06d.jpg", n);
            Path file = imageDir.resolve(fileName);
            Files.write(file, Arrays.copyOf(bytes, bytes.length + 1 + n / sources.size()));
            files.add(file);
            ObjectNode image = imageList.addObject();
            image.setAll((ObjectNode) source.deepCopy());
            image.put("id", n + 1).put("file_name", fileName);
            for (JsonNode a : captions.get("annotations")) {
                if (a.get("image_id").asLong() == sourceId) {
                    captionList.addObject().put("id", annotationId++).put("image_id", n + 1)
                            .put("caption", a.get("caption").asText());
                }
            }
            for (JsonNode a : instances.get("annotations")) {
                if (a.get("image_id").asLong() == sourceId) {
                    ObjectNode box = ((ObjectNode) a.deepCopy()).put("id", annotationId++).put("image_id", n + 1);
                    boxList.add(box);
                }
            }
        }
        outCaptions.set("images", imageList);
        outInstances.set("images", imageList);
        json.writeValue(annotationDir.resolve("captions_bench.json").toFile(), outCaptions);
        json.writeValue(annotationDir.resolve("instances_bench.json").toFile(), outInstances);
        return files;
    }

    private static double importFolder(String ingestionUrl, Path work, int images) throws Exception {
        String body = new ObjectMapper().writeValueAsString(java.util.Map.of(
                "annotationsDir", work.resolve("annotations").toString(),
                "imagesDir", work.resolve("images").toString(),
                "dataset", "bench-" + UUID.randomUUID().toString().substring(0, 8)));
        long start = System.nanoTime();
        // The service needs an API key with the ingest role; bin/vlit passes its own in VLIT_API_KEY.
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ingestionUrl + "/imports/coco"))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        String apiKey = System.getenv("VLIT_API_KEY");
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("X-Api-Key", apiKey);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonNode report = new ObjectMapper().readTree(response.body());
        if (response.statusCode() != 200 || report.get("imagesNew").asInt() != images) {
            throw new IllegalStateException("import did not ingest " + images + " new images: " + response.body());
        }
        return images / seconds;
    }

    private static double rawPuts(MinioClient s3, String bucket, List<Path> files, int threads) throws Exception {
        String prefix = "bench-raw/" + UUID.randomUUID() + "/";
        List<byte[]> contents = new ArrayList<>();
        for (Path f : files) {
            contents.add(Files.readAllBytes(f));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < contents.size(); i++) {
                byte[] bytes = contents.get(i);
                String key = prefix + i + ".jpg";
                puts.add(pool.submit(() -> {
                    s3.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                            .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType("image/jpeg").build());
                    return null;
                }));
            }
            for (Future<?> put : puts) {
                put.get();
            }
            return contents.size() / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private IngestionBenchmark() {
    }
}
