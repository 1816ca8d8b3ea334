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
    void truncatedAndNonImageBytesAreRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(Fixtures.cocoMini().resolve("images/000000000790.jpg"));
        InvalidImageException truncated = assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect(Arrays.copyOf(bytes, bytes.length / 3)));
        assertEquals("image.corrupt", truncated.reason());
        InvalidImageException text = assertThrows(InvalidImageException.class,
                () -> ImageInspector.inspect("not an image".getBytes()));
        assertEquals("image.unknown_format", text.reason());
    }
}
