package io.vlitforge.ingestion.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vlitforge.ingestion.service.ImageInspector.ImageFacts;
import io.vlitforge.ingestion.service.ImageInspector.InvalidImageException;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Decodes a real COCO JPEG and broken copies of it; nothing external. */
class ImageInspectorTest {

    @Test
    void realJpegReportsItsFormatAndSize() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        ImageFacts facts = ImageInspector.inspect(bytes);
        assertEquals("jpeg", facts.format());
        assertEquals("image/jpeg", facts.contentType());
        assertEquals(640, facts.width());
        assertEquals(422, facts.height(), "as its COCO annotation says");
    }

    @Test
    void truncatedEmptyAndNonImageBytesAreRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 3);
        assertEquals("image.truncated", assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect(cut)).reason());
        assertEquals("image.corrupt", assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect(cut, true)).reason(), "a full decode sees the damage itself");
        assertEquals("image.unknown_format", assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect("not an image".getBytes())).reason());
        assertEquals("image.empty", assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect(new byte[0])).reason());
    }

    @Test
    void headerCheckAgreesWithAFullDecodeOnEveryFixtureImage() throws Exception {
        try (var files = Files.list(Fixtures.cocoMini().resolve("images"))) {
            for (var file : files.toList()) {
                byte[] bytes = Files.readAllBytes(file);
                assertEquals(ImageInspector.inspect(bytes, true), ImageInspector.inspect(bytes), file.toString());
            }
        }
    }

    @Test
    void truncatedPngIsRefused() throws Exception {
        var png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(20, 10,
                java.awt.image.BufferedImage.TYPE_INT_RGB), "png", png);
        byte[] whole = png.toByteArray();
        assertEquals(new ImageInspector.ImageFacts("png", "image/png", 20, 10), ImageInspector.inspect(whole));
        assertEquals("image.truncated", assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect(Arrays.copyOf(whole, whole.length - 5))).reason());
    }
}
