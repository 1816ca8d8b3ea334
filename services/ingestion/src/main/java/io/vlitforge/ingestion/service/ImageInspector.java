package io.vlitforge.ingestion.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image completely to prove it is not corrupt, and reports its real format and size.
 * A truncated JPEG decodes "successfully" in ImageIO with only a warning, so warnings count as corruption.
 */
public final class ImageInspector {

    /** What the bytes really are. */
    public record ImageFacts(String format, String contentType, int width, int height) {
    }

    private ImageInspector() {
    }

    public static ImageFacts inspect(byte[] bytes) throws InvalidImageException {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new InvalidImageException("image.unknown_format", "not a JPEG, PNG, GIF or BMP image");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.setInput(input, true, true);
                String format = normalise(reader.getFormatName());
                var image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new InvalidImageException("image.corrupt", "decoder warned: " + warnings.get(0));
                }
                return new ImageFacts(format, "image/" + format, image.getWidth(), image.getHeight());
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("image.corrupt", "cannot decode: " + e.getMessage());
        }
    }

    private static String normalise(String formatName) {
        String f = formatName.toLowerCase(Locale.ROOT);
        return switch (f) {
            case "jpg", "jpeg" -> "jpeg";
            default -> f;
        };
    }

    /** The bytes are not a usable image; {@code reason} is a stable code. */
    public static class InvalidImageException extends Exception {
        private final String reason;

        public InvalidImageException(String reason, String detail) {
            super(detail);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
