package io.vlitforge.ingestion.service;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A corpus of bad input built here (damaged and hostile images, malformed and mistyped annotations, boxes
 * outside their image, hostile file names, broken and oversized files), each kind next to good items in
 * the same import. Every kind must come back with its own reason code as a stored rejection record, the
 * good items must land, and no import may fail.
 */
@QuarkusTest
class BadInputCorpusTest {

    private static Path dir;
    private static Path images;
    private static byte[] goodJpeg;
    private static byte[] otherJpeg;

    @BeforeAll
    static void build() throws IOException {
        dir = Files.createTempDirectory("vlit-bad-input");
        images = Files.createDirectories(dir.resolve("img"));
        goodJpeg = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        otherJpeg = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000030752.jpg"));
        Files.write(images.resolve("good1.jpg"), goodJpeg);
        Files.write(images.resolve("good2.jpg"), otherJpeg);
        Files.write(images.resolve("empty.jpg"), new byte[0]);
        Files.write(images.resolve("truncated.jpg"), Arrays.copyOf(goodJpeg, goodJpeg.length / 3));
        byte[] corrupt = new byte[4000];
        new java.util.Random(7).nextBytes(corrupt);
        corrupt[0] = (byte) 0xFF;
        corrupt[1] = (byte) 0xD8;
        corrupt[2] = (byte) 0xFF;
        corrupt[3] = (byte) 0xC0;
        corrupt[corrupt.length - 2] = (byte) 0xFF;
        corrupt[corrupt.length - 1] = (byte) 0xD9;
        Files.write(images.resolve("corrupt.jpg"), corrupt);
        Files.writeString(images.resolve("text.jpg"), "this is not an image at all\n");
        Files.write(images.resolve("png-named.jpg"), png(24, 16));
        Files.write(images.resolve("bomb.png"), pngHeaderOnly(100_000, 100_000));
        Files.createDirectories(images.resolve("folder.jpg"));
        Files.write(dir.resolve("outside.jpg"), goodJpeg);
        Files.createSymbolicLink(images.resolve("link.jpg"), dir.resolve("outside.jpg"));
        try (RandomAccessFile big = new RandomAccessFile(images.resolve("big.jpg").toFile(), "rw")) {
            big.setLength(60L * 1024 * 1024); // sparse: larger than vlit.ingest.max-image-bytes, costs no disk
        }
    }

    static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    /** A valid PNG signature and header claiming {@code w x h}, with a tiny IDAT: a decompression bomb. */
    static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[1000]);
        deflater.finish();
        byte[] compressed = new byte[200];
        int n = deflater.deflate(compressed);
        chunk(out, "IDAT", Arrays.copyOf(compressed, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static JsonPath ingest(String format, List<Path> paths, Path imagesDir) {
        Map<String, Object> body = new TreeMap<>();
        body.put("format", format);
        body.put("paths", paths.stream().map(Path::toString).toList());
        if (imagesDir != null) {
            body.put("imagesDir", imagesDir.toString());
        }
        body.put("dataset", "bad-" + format + "-" + UUID.randomUUID().toString().substring(0, 8));
        return given().contentType("application/json").body(body).when().post("/imports").then().statusCode(200)
                .extract().jsonPath();
    }

    /** The reason codes stored for a run, read back over REST. */
    private static Set<String> storedReasons(JsonPath report) {
        List<String> reasons = given().when().get("/imports/" + report.getString("runId") + "/rejections").then()
                .statusCode(200).extract().jsonPath().getList("reason");
        return new TreeSet<>(reasons);
    }

    private static final Set<String> SEEN = new TreeSet<>();

    private static void expect(JsonPath report, String... reasons) {
        Set<String> stored = storedReasons(report);
        assertEquals("COMPLETED", report.getString("status"));
        for (String r : reasons) {
            assertTrue(stored.contains(r), "expected a " + r + " record; stored: " + stored);
        }
        SEEN.addAll(stored);
    }

    @Test
    void damagedHostileAndMisnamedImagesNextToGoodOnes() throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (String line : List.of(
                "{\"image\": \"good1.jpg\", \"caption\": \"a good bedroom\"}",
                "{\"image\": \"empty.jpg\", \"caption\": \"zero bytes\"}",
                "{\"image\": \"truncated.jpg\", \"caption\": \"cut short\"}",
                "{\"image\": \"corrupt.jpg\", \"caption\": \"garbage with a JPEG header\"}",
                "{\"image\": \"text.jpg\", \"caption\": \"not an image\"}",
                "{\"image\": \"png-named.jpg\", \"caption\": \"a PNG named .jpg\"}",
                "{\"image\": \"bomb.png\", \"caption\": \"100000 x 100000\"}",
                "{\"image\": \"nothere.jpg\", \"caption\": \"missing\"}",
                "{\"image\": \"../../../../etc/passwd\", \"caption\": \"traversal\"}",
                "{\"image\": \"/etc/hostname\", \"caption\": \"absolute outside\"}",
                "{\"image\": \"link.jpg\", \"caption\": \"symlink out\"}",
                "{\"image\": \"bad\\u0000name.jpg\", \"caption\": \"NUL in the name\"}",
                "{\"image\": \"folder.jpg\", \"caption\": \"a directory\"}",
                "{\"image\": \"big.jpg\", \"caption\": \"60 MB\"}",
                "{\"image\": \"http://169.254.169.254/latest/meta-data/x.jpg\", \"caption\": \"metadata URL\"}",
                "{\"image\": \"good2.jpg\", \"caption\": \"\"}",
                "{\"image\": \"good2.jpg\", \"caption\": \"" + "x".repeat(30_000) + "\"}",
                "{\"caption\": \"no image named\"}",
                "{oops, not json",
                "{\"image\": \"good2.jpg\", \"caption\": \"a good kitchen\"}")) {
            lines.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        lines.write(new byte[] {'{', '"', 'i', 'm', 'a', 'g', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}',
                '\n'});
        Files.write(pairs, lines.toByteArray());
        JsonPath r = ingest("pairs", List.of(pairs), images);
        expect(r, "image.empty", "image.truncated", "image.corrupt", "image.unknown_format",
                "image.extension_mismatch", "image.too_many_pixels", "image.missing", "image.path_traversal",
                "image.outside_folder", "image.symlink_escape", "image.bad_file_name", "image.not_a_file",
                "image.too_large", "image.url_fetch_disabled", "annotation.missing_text",
                "annotation.text_too_long", "annotation.missing_image", "source.not_json", "source.invalid_utf8");
        assertEquals(3, r.getInt("imagesNew"), "good1, good2 and the PNG named .jpg land");
        for (byte[] good : List.of(goodJpeg, otherJpeg)) {
            given().when().get("/images/" + Ids.imageId(good)).then().statusCode(200);
        }
    }

    @Test
    void malformedAndMistypedCocoAnnotations() throws Exception {
        Path ann = Files.createDirectories(dir.resolve("coco-ann"));
        Files.writeString(ann.resolve("captions_bad.json"), """
                {"images": [
                   {"id": 1, "file_name": "good1.jpg", "width": 640, "height": 422},
                   {"id": 2, "file_name": "good2.jpg", "width": 100, "height": 100},
                   {"id": "abc", "file_name": "x.jpg", "width": 10, "height": 10},
                   {"id": 4, "file_name": "../secret.jpg", "width": 10, "height": 10}],
                 "annotations": [
                   {"id": 10, "image_id": 1, "caption": "a bed in a room"},
                   {"id": 11, "image_id": 99, "caption": "for no image"},
                   {"id": 12, "image_id": 1, "caption": "   "},
                   {"id": 13, "caption": "no image_id"}]}""");
        Files.writeString(ann.resolve("instances_bad.json"), """
                {"images": [{"id": 1, "file_name": "good1.jpg", "width": 640, "height": 422}],
                 "categories": [{"id": 1, "name": "bed"}],
                 "annotations": [
                   {"id": 20, "image_id": 1, "category_id": 1, "bbox": [10, 10, 100, 100]},
                   {"id": 21, "image_id": 1, "category_id": 999, "bbox": [10, 10, 100, 100]},
                   {"id": 22, "image_id": 1, "category_id": 1, "bbox": [600, 400, 300, 300]},
                   {"id": 23, "image_id": 1, "category_id": 1, "bbox": [1, 2, "NaN", 4]}]}""");
        JsonPath r = ingest("coco", List.of(ann), images);
        expect(r, "image.size_mismatch", "annotation.unknown_image", "annotation.empty_caption",
                "annotation.malformed_caption", "annotation.malformed_image", "annotation.unknown_category",
                "annotation.box_out_of_bounds", "annotation.malformed_box", "annotation.unsafe_file_name");
        assertEquals(1, r.getInt("imagesNew"));
        assertEquals(1, r.getInt("captions"));
        assertEquals(1, r.getInt("boxes"));
    }

    @Test
    void badBoxesRegionsAndRelationsInVisualGenome() throws Exception {
        Path vg = Files.createDirectories(dir.resolve("vg"));
        Files.write(vg.resolve("1.jpg"), goodJpeg);
        Files.writeString(vg.resolve("image_data.json"), """
                [{"image_id": 1, "width": 640, "height": 422, "coco_id": null},
                 {"image_id": 1, "width": 640, "height": 422, "coco_id": null}]""");
        Files.writeString(vg.resolve("objects.json"), """
                [{"image_id": 1, "objects": [
                   {"object_id": 1, "names": ["bed"], "x": 10, "y": 10, "w": 100, "h": 100},
                   {"object_id": 2, "names": ["ghost"], "x": 10, "y": 10, "w": -5, "h": 100},
                   {"object_id": 3, "names": ["line"], "x": 10, "y": 10, "w": 0, "h": 100},
                   {"object_id": 4, "names": ["far"], "x": 5000, "y": 10, "w": 10, "h": 10},
                   {"object_id": 5, "names": ["edge"], "x": 600, "y": 400, "w": 100, "h": 100}]}]""");
        Files.writeString(vg.resolve("relationships.json"), """
                [{"image_id": 1, "relationships": [
                   {"relationship_id": 9, "subject": {"object_id": 1, "names": ["bed"], "x": 10, "y": 10, "w": 100, "h": 100},
                    "object": {"object_id": 5, "names": ["edge"], "x": 600, "y": 400, "w": 100, "h": 100}}]}]""");
        Files.writeString(vg.resolve("region_descriptions.json"), """
                [{"id": 1, "regions": [{"region_id": 3, "phrase": "a bed", "x": "NaN", "y": 0, "width": 1, "height": 1},
                                       {"region_id": 4, "phrase": "the bed", "x": 10, "y": 10, "width": 50, "height": 50}]}]""");
        JsonPath r = ingest("vg", List.of(vg), vg);
        expect(r, "box.negative_size", "box.empty", "box.outside_image", "box.clipped",
                "annotation.malformed_relation", "annotation.malformed_region", "item.duplicate_in_source");
        assertEquals(1, r.getInt("imagesNew"));
        assertEquals(2, r.getInt("boxes"), "the good box and the clipped one");
        assertEquals(1, r.getInt("boxesClipped"));
    }

    @Test
    void brokenFilesAndSamplesOfInstructionData() throws Exception {
        Path llava = Files.createDirectories(dir.resolve("llava"));
        Files.writeString(llava.resolve("good.json"), """
                [{"id": "ok", "image": "good1.jpg", "conversations": [{"from": "human", "value": "<image>\\nWhat is this?"},
                                                                      {"from": "gpt", "value": "A bedroom."}]},
                 {"id": "noimg", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]},
                 {"id": "robot", "image": "good1.jpg", "conversations": [{"from": "robot", "value": "beep"}]},
                 {"id": "silent", "image": "good1.jpg", "conversations": [{"from": "human", "value": ""}]},
                 {"image": "good1.jpg", "conversations": [{"from": "human", "value": "no id"}]}]""");
        Files.write(llava.resolve("empty.json"), new byte[0]);
        Files.writeString(llava.resolve("truncated.json"), "[{\"id\": \"x\", \"image\": \"good1.jpg\", ");
        Files.writeString(llava.resolve("object.json"), "{\"not\": \"an array\"}");
        Files.writeString(llava.resolve("huge.json"), "[{\"id\": \"" + "y".repeat(1_100_000) + "\"}]");
        Files.writeString(llava.resolve("deep.json"), "[".repeat(300) + "]".repeat(300));
        JsonPath r = ingest("llava", List.of(llava.resolve("good.json"), llava.resolve("empty.json"),
                llava.resolve("truncated.json"), llava.resolve("object.json"), llava.resolve("huge.json"),
                llava.resolve("deep.json")), images);
        expect(r, "source.empty", "source.truncated_json", "source.wrong_shape", "source.value_too_large",
                "source.too_deep", "sample.no_image", "sample.bad_role", "sample.empty_turn",
                "annotation.missing_field");
        assertEquals(1, r.getInt("imagesNew"));
        assertEquals(1, r.getInt("annotations"), "the one good conversation");

        Path sharegpt = dir.resolve("sharegpt.json");
        Files.writeString(sharegpt, """
                [{"messages": [{"role": "user", "content": "<image><image>compare"}, {"role": "assistant", "content": "same"}],
                  "images": ["good1.jpg", "good2.jpg"]},
                 {"messages": [{"role": "user", "content": "<image>what?"}, {"role": "assistant", "content": "a kitchen"}],
                  "images": ["good2.jpg"]}]""");
        JsonPath s = ingest("sharegpt", List.of(sharegpt), images);
        expect(s, "sample.multiple_images");
        assertEquals(1, s.getInt("imagesNew"));

        Path shards = Files.createDirectories(dir.resolve("shards"));
        Files.write(shards.resolve("broken.tar"), "this is no tar archive, only text pretending to be one".repeat(20)
                .getBytes(StandardCharsets.UTF_8));
        JsonPath w = ingest("webdataset", List.of(shards), null);
        expect(w, "source.corrupt_archive");
    }

    @Test
    void atLeastThirtyKindsEachWithItsOwnReason() throws Exception {
        damagedHostileAndMisnamedImagesNextToGoodOnes();
        malformedAndMistypedCocoAnnotations();
        badBoxesRegionsAndRelationsInVisualGenome();
        brokenFilesAndSamplesOfInstructionData();
        assertTrue(SEEN.size() >= 30, SEEN.size() + " reasons: " + SEEN);
        // The service is still up and answering after all of it.
        given().when().get("/q/health/ready").then().statusCode(200);
        List<String> notReasons = new ArrayList<>(SEEN);
        notReasons.removeIf(x -> x.matches("[a-z]+\\.[a-z0-9_]+"));
        assertEquals(List.of(), notReasons, "reason codes are stable dotted names");
    }
}
