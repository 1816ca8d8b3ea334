package io.vlitforge.shared.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.testing.Fixtures;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The dHash finds the same picture re-encoded at another size, and tells different pictures apart. */
class PerceptualHashTest {

    private static byte[] resizedPng(byte[] jpeg, double scale) throws IOException {
        BufferedImage source = ImageIO.read(new ByteArrayInputStream(jpeg));
        int w = (int) (source.getWidth() * scale);
        int h = (int) (source.getHeight() * scale);
        BufferedImage target = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = target.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, w, h, null);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(target, "png", out);
        return out.toByteArray();
    }

    @Test
    void aReEncodedCopyIsNearAndOtherPicturesAreFar() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(Fixtures.cocoMini().resolve("images"))) {
            files = list.sorted().limit(12).toList();
        }
        int near = 0;
        int far = Integer.MAX_VALUE;
        for (int i = 0; i < files.size(); i++) {
            byte[] bytes = Files.readAllBytes(files.get(i));
            String hash = PerceptualHash.dHash(bytes);
            assertTrue(hash.matches("[0-9a-f]{16}"), hash);
            assertEquals(hash, PerceptualHash.dHash(bytes), "deterministic");
            near = Math.max(near, PerceptualHash.distance(hash, PerceptualHash.dHash(resizedPng(bytes, 0.5))));
            for (int j = i + 1; j < files.size(); j++) {
                far = Math.min(far, PerceptualHash.distance(hash, PerceptualHash.dHash(Files.readAllBytes(files.get(j)))));
            }
        }
        assertTrue(near <= 6, "a half-size PNG copy differs in at most 6 bits, got " + near);
        assertTrue(far > near, "different pictures differ more (" + far + ") than copies (" + near + ")");
        assertTrue(far >= 10, "different pictures differ in many bits, got " + far);
    }

    @Test
    void undecodableBytesHaveNoHash() {
        assertNull(PerceptualHash.dHash("not an image".getBytes()));
        assertEquals(0, PerceptualHash.distance("00ff00ff00ff00ff", "00ff00ff00ff00ff"));
        assertEquals(64, PerceptualHash.distance("0000000000000000", "ffffffffffffffff"));
    }
}
