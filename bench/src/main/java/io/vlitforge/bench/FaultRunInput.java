package io.vlitforge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlitforge.shared.images.PerceptualHash;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * The input of the fault-injection run ({@code bin/vlit bench faults}): a COCO source of {@code IMAGES} distinct
 * pictures that ingestion reads like any other, made the same way every time, so that two runs over it can be
 * compared byte for byte.
 * <p>
 * Annotations are the COCO fixture's real captions and boxes, cycled (image n carries those of fixture image
 * n mod 80, at that image's size). Pictures are drawn, not copied: each is a 9x8 grid of grey cells whose
 * left-to-right steps spell a 64-bit code drawn from a seeded random stream, which is exactly the dHash ingestion
 * computes. Any two codes are checked to be more than {@code near-image.max-distance} (4) bits apart, so the
 * near-image filter rejects none of them: a near-duplicate pair would be decided by arrival order, which a run
 * disturbed by crashes may change.
 * <p>
 * Arguments: COCO fixture folder, output folder, number of images. Prints one JSON line.
 */
public final class FaultRunInput {

    private static final long SEED = 0x5EED_F00DL;
    /** More than the near-image filter's default max-distance (4). */
    private static final int MIN_DISTANCE = 5;

    public static void main(String[] args) throws Exception {
        Path coco = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        ObjectMapper json = new ObjectMapper();
        JsonNode captions = json.readTree(coco.resolve("annotations/captions_train2017.json").toFile());
        JsonNode instances = json.readTree(coco.resolve("annotations/instances_train2017.json").toFile());

        List<JsonNode> fixtureImages = new ArrayList<>();
        instances.get("images").forEach(fixtureImages::add);
        Map<Long, List<JsonNode>> boxesOf = new HashMap<>();
        instances.get("annotations").forEach(a -> boxesOf.computeIfAbsent(a.get("image_id").asLong(),
                k -> new ArrayList<>()).add(a));
        Map<Long, List<JsonNode>> captionsOf = new HashMap<>();
        captions.get("annotations").forEach(a -> captionsOf.computeIfAbsent(a.get("image_id").asLong(),
                k -> new ArrayList<>()).add(a));

        Path imagesDir = out.resolve("images");
        Files.createDirectories(imagesDir);
        Files.createDirectories(out.resolve("annotations"));
        ObjectNode instancesOut = json.createObjectNode();
        ObjectNode captionsOut = json.createObjectNode();
        for (ObjectNode file : List.of(instancesOut, captionsOut)) {
            file.set("info", instances.get("info"));
            file.set("licenses", instances.get("licenses"));
        }
        ArrayNode imagesOut = json.createArrayNode();
        ArrayNode boxesOut = json.createArrayNode();
        ArrayNode captionsOutList = json.createArrayNode();
        long[] codes = new long[count];
        SplittableRandom random = new SplittableRandom(SEED);
        long boxId = 1;
        long captionId = 1;
        for (int n = 0; n < count; n++) {
            JsonNode fixture = fixtureImages.get(n % fixtureImages.size());
            long fixtureId = fixture.get("id").asLong();
            int width = fixture.get("width").asInt();
            int height = fixture.get("height").asInt();
            long code = distinctCode(random, codes, n);
            codes[n] = code;
            BufferedImage picture = draw(code, width, height);
            String hash = PerceptualHash.dHash(picture);
            if (Long.parseUnsignedLong(hash, 16) != code) {
                throw new IllegalStateException("image " + n + ": drawn code " + Long.toHexString(code)
                        + " reads back as dHash " + hash);
            }
            long imageId = 1_000_000L + n;
            String fileName = String.format(Locale.ROOT, "fault-%06d.png", n);
            ImageIO.write(picture, "png", imagesDir.resolve(fileName).toFile());
            ObjectNode image = json.createObjectNode();
            image.put("id", imageId);
            image.put("file_name", fileName);
            image.put("width", width);
            image.put("height", height);
            image.put("license", fixture.get("license").asInt());
            imagesOut.add(image);
            for (JsonNode box : boxesOf.getOrDefault(fixtureId, List.of())) {
                ObjectNode copy = json.createObjectNode();
                copy.put("id", boxId++);
                copy.put("image_id", imageId);
                copy.put("category_id", box.get("category_id").asLong());
                copy.set("bbox", box.get("bbox"));
                copy.put("area", box.get("area").asDouble());
                copy.put("iscrowd", box.get("iscrowd").asInt());
                boxesOut.add(copy);
            }
            for (JsonNode caption : captionsOf.getOrDefault(fixtureId, List.of())) {
                ObjectNode copy = json.createObjectNode();
                copy.put("id", captionId++);
                copy.put("image_id", imageId);
                copy.put("caption", caption.get("caption").asText());
                captionsOutList.add(copy);
            }
        }
        instancesOut.set("images", imagesOut);
        instancesOut.set("annotations", boxesOut);
        instancesOut.set("categories", instances.get("categories"));
        captionsOut.set("images", imagesOut);
        captionsOut.set("annotations", captionsOutList);
        json.writeValue(out.resolve("annotations/instances_faults.json").toFile(), instancesOut);
        json.writeValue(out.resolve("annotations/captions_faults.json").toFile(), captionsOut);
        System.out.printf("{\"images\":%d,\"boxes\":%d,\"captions\":%d,\"minDistance\":%d}%n", count, boxId - 1,
                captionId - 1, MIN_DISTANCE);
    }

    /** A code at least {@link #MIN_DISTANCE} bits from every earlier one (a brute-force check: n is small). */
    private static long distinctCode(SplittableRandom random, long[] codes, int n) {
        while (true) {
            long candidate = random.nextLong();
            boolean far = true;
            for (int i = 0; i < n && far; i++) {
                far = Long.bitCount(candidate ^ codes[i]) >= MIN_DISTANCE;
            }
            if (far) {
                return candidate;
            }
        }
    }

    /**
     * Rows of 9 grey cells; cell c+1 is darker than cell c where the code's bit is 1 (dHash: left > right).
     * Steps of 12 grey levels from a middle start stay within 0..255.
     */
    private static BufferedImage draw(long code, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            for (int row = 0; row < 8; row++) {
                int grey = 128;
                for (int col = 0; col < 9; col++) {
                    if (col > 0) {
                        boolean darker = ((code >>> (63 - (row * 8 + col - 1))) & 1) == 1;
                        grey += darker ? -12 : 12;
                    }
                    g.setColor(new Color(grey, grey, grey));
                    int x0 = cellStart(col, 9, width);
                    int y0 = cellStart(row, 8, height);
                    g.fillRect(x0, y0, cellStart(col + 1, 9, width) - x0, cellStart(row + 1, 8, height) - y0);
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The first pixel of cell {@code i} of {@code cells} over {@code size} pixels, as dHash assigns them. */
    private static int cellStart(int i, int cells, int size) {
        // dHash puts pixel p in cell min(cells-1, p*cells/size): the first p with p*cells/size >= i.
        return (int) (((long) i * size + cells - 1) / cells);
    }
}
