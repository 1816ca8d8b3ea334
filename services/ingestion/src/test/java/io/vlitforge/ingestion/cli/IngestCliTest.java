package io.vlitforge.ingestion.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/vlit ingest} against this service in-process (real Kafka, PostgreSQL, S3): every fixture
 * format through {@code --format}, and the original COCO form; the last stdout line is the JSON with the
 * counts, and they add up to what the source lists.
 */
@QuarkusTest
class IngestCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode vlit(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Fixtures.repositoryRoot().resolve("bin/vlit").toString());
        command.add("ingest");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("VLIT_INGESTION_PORT", Integer.toString(RestAssured.port));
        pb.environment().put("VLIT_API_KEY", io.vlitforge.shared.testing.TestApiKeys.ADMIN);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        List<String> lines = out.lines().toList();
        assertEquals(1, lines.size(), "one JSON line on stdout: " + out);
        JsonNode result = JSON.readTree(lines.get(0));
        assertEquals(0, p.exitValue(), out);
        return result;
    }

    private static String dataset(String name) {
        return name + "-cli-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void assertAddsUp(JsonNode r, int seen) {
        assertEquals("ingest", r.get("command").asText());
        assertEquals(seen, r.get("imagesSeen").asInt());
        assertEquals(seen, r.get("ingested").asInt() + r.get("merged").asInt() + r.get("duplicates").asInt()
                + r.get("imagesRejected").asInt(), r.toString());
        assertEquals(r.get("imagesRejected").asInt() + r.get("annotationsRejected").asInt(), r.get("rejected").asInt());
    }

    @Test
    void everyFixtureFormatThroughTheCli(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = Fixtures.root();
        JsonNode vg = vlit("--format", "vg", f.resolve("visual-genome").toString(), "--images",
                f.resolve("visual-genome/images").toString(), "--dataset", dataset("vg"));
        assertAddsUp(vg, 4);
        assertEquals(0, vg.get("rejected").asInt());
        assertAddsUp(vlit("--format", "vqa", f.resolve("vqav2/questions.json").toString(),
                f.resolve("vqav2/annotations.json").toString(), "--images", f.resolve("vqav2/images").toString(),
                "--dataset", dataset("vqa")), 1);
        assertAddsUp(vlit("--format", "gqa", f.resolve("gqa/questions.json").toString(), "--images",
                f.resolve("gqa/images").toString(), "--dataset", dataset("gqa")), 1);
        JsonNode flickr = vlit("--format", "flickr30k", f.resolve("flickr30k").toString(), "--dataset",
                dataset("flickr30k"));
        assertAddsUp(flickr, 5);
        assertEquals(3, flickr.get("rejectedByReason").get("image.missing").asInt());
        Path tsv = dir.resolve("pairs.tsv");
        Files.writeString(tsv, "000000000790.jpg\ta bed\n000000030752.jpg\ta kitchen\n");
        assertAddsUp(vlit("--format=pairs", tsv.toString(), "--images=" + Fixtures.cocoMini().resolve("images"),
                "--dataset=" + dataset("pairs")), 2);

        String coco = dataset("coco");
        JsonNode first = vlit(Fixtures.cocoMini().resolve("annotations").toString(),
                Fixtures.cocoMini().resolve("images").toString(), "--dataset", coco);
        assertAddsUp(first, 80);
        assertEquals(400, first.get("captions").asInt());
        JsonNode again = vlit("--format", "coco", Fixtures.cocoMini().resolve("annotations").toString(), "--images",
                Fixtures.cocoMini().resolve("images").toString(), "--dataset", coco);
        assertEquals(80, again.get("duplicates").asInt(), "the same folder twice adds nothing");
    }

    @Test
    void anUnknownFormatEndsWithAnErrorLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Fixtures.repositoryRoot().resolve("bin/vlit").toString(), "ingest",
                "--format", "yolo", "/tmp").redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("VLIT_INGESTION_PORT", Integer.toString(RestAssured.port));
        pb.environment().put("VLIT_API_KEY", io.vlitforge.shared.testing.TestApiKeys.ADMIN);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(2, TimeUnit.MINUTES);
        assertEquals("error", JSON.readTree(out).get("result").asText(), out);
        assertTrue(JSON.readTree(out).get("error").asText().contains("unknown format yolo"), out);
        assertTrue(p.exitValue() != 0);
    }

    @Test
    void builtSourcesOfTheOtherFormatsThroughTheCli(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path coco = Fixtures.cocoMini().resolve("images");
        Files.writeString(dir.resolve("instances.json"), """
                {"images": [{"id": 790, "file_name": "000000000790.jpg", "width": 640, "height": 422}],
                 "annotations": [{"id": 11, "image_id": 790, "category_id": 65, "bbox": [10, 20, 300, 200]}],
                 "categories": [{"id": 65, "name": "bed"}]}""");
        Files.writeString(dir.resolve("refs(unc).json"), """
                [{"ref_id": 1, "ann_id": 11, "image_id": 790, "split": "val", "sentences": [{"sent_id": 1, "sent": "the bed"}]}]""");
        JsonNode ref = vlit("--format", "refcoco", dir.resolve("refs(unc).json").toString(),
                dir.resolve("instances.json").toString(), "--images", coco.toString(), "--dataset", dataset("refcoco"));
        assertAddsUp(ref, 1);
        assertEquals(2, ref.get("annotations").asInt());

        Path shard = dir.resolve("shard-000000.tar");
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(shard))) {
            byte[] jpeg = Files.readAllBytes(coco.resolve("000000000790.jpg"));
            var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("k1.jpg");
            e.setSize(jpeg.length);
            tar.putArchiveEntry(e);
            tar.write(jpeg);
            tar.closeArchiveEntry();
            byte[] txt = "a caption in a shard".getBytes(StandardCharsets.UTF_8);
            e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("k1.txt");
            e.setSize(txt.length);
            tar.putArchiveEntry(e);
            tar.write(txt);
            tar.closeArchiveEntry();
        }
        assertAddsUp(vlit("--format", "webdataset", shard.toString(), "--dataset", dataset("wds")), 1);

        Path images = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(images.resolve("mllm_demo_data"));
        int i = 0;
        for (String name : List.of("mllm_demo_data/1.jpg", "mllm_demo_data/2.jpg", "mllm_demo_data/3.jpg")) {
            Files.copy(Files.list(coco).sorted().toList().get(i++), images.resolve(name));
        }
        JsonNode sharegpt = vlit("--format", "sharegpt", Fixtures.root().resolve("llama-factory/mllm_demo.json")
                .toString(), "--images", images.toString(), "--dataset", dataset("sharegpt"));
        assertAddsUp(sharegpt, 3);
        assertEquals(JSON.readTree(Fixtures.root().resolve("llama-factory/mllm_demo.json").toFile()).size(),
                sharegpt.get("annotations").asInt());

        Path llava = dir.resolve("llava.json");
        Files.writeString(llava, """
                [{"id": "a", "image": "mllm_demo_data/1.jpg", "conversations": [{"from": "human", "value": "<image>\\nWhat?"},
                  {"from": "gpt", "value": "A room."}]}]""");
        assertAddsUp(vlit("--format", "llava", llava.toString(), "--images", images.toString(), "--dataset",
                dataset("llava")), 1);

        Path multi = dir.resolve("multi.jsonl");
        Files.writeString(multi, "{\"unique_id\": \"m1\", \"task_name\": \"VQA\", \"image_path\": "
                + "\"./mllm_demo_data/2.jpg\", \"prompt\": \"What is shown?\", \"target\": \"a kitchen\", "
                + "\"region\": [\"10 20 110 120\"]}\n");
        JsonNode m = vlit("--format", "multiinstruct", multi.toString(), "--images", images.toString(), "--dataset",
                dataset("multiinstruct"));
        assertAddsUp(m, 1);
        assertEquals(2, m.get("annotations").asInt(), "the conversation and its region");
    }
}
