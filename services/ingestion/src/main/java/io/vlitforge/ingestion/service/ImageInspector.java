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
 * Proves that bytes are a usable image and reports its real format and size. The default check reads
 * the header (format, width, height) and the format's end marker (JPEG EOI, PNG IEND, GIF trailer), which
 * catches empty, truncated and non-image files at a small fraction of a full decode's cost. A full decode
 * (on by configuration) also catches damage inside the data; ImageIO reports a truncated JPEG only as a
 * warning, so warnings count as corruption there.
 */
public final class ImageInspector {

    /** What the bytes really are. */
    public record ImageFacts(String format, String contentType, int width, int height) {
    }

    private static final byte[] PNG_IEND = {0, 0, 0, 0, 'I', 'E', 'N', 'D', (byte) 0xAE, 0x42, 0x60, (byte) 0x82};

    private ImageInspector() {
    }

    public static ImageFacts inspect(byte[] bytes) throws InvalidImageException {
        return inspect(bytes, false);
    }

    public static ImageFacts inspect(byte[] bytes, boolean fullDecode) throws InvalidImageException {
        return inspect(bytes, fullDecode, Long.MAX_VALUE);
    }

    /**
     * As {@link #inspect(byte[], boolean)}, refusing ({@code image.too_many_pixels}) an image whose header
     * claims more than {@code maxPixels} pixels before a single pixel is decoded: a few hundred bytes can
     * claim 100000x100000, and decoding that would take 30 GB.
     */
    public static ImageFacts inspect(byte[] bytes, boolean fullDecode, long maxPixels) throws InvalidImageException {
        if (bytes.length == 0) {
            throw new InvalidImageException("image.empty", "the file is empty");
        }
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new InvalidImageException("image.unknown_format", "not a JPEG, PNG, GIF or BMP image");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.setInput(input, true, !fullDecode);
                String format = normalise(reader.getFormatName());
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if ((long) width * height > maxPixels) {
                    throw new InvalidImageException("image.too_many_pixels", "the header says " + width + "x" + height
                            + " = " + ((long) width * height) + " pixels, more than the limit of " + maxPixels);
                }
                if (fullDecode) {
                    var image = reader.read(0);
                    if (!warnings.isEmpty()) {
                        throw new InvalidImageException("image.corrupt", "decoder warned: " + warnings.get(0));
                    }
                    width = image.getWidth();
                    height = image.getHeight();
                }
                checkEndMarker(format, bytes);
                if (width <= 0 || height <= 0) {
                    throw new InvalidImageException("image.corrupt", "the header says " + width + "x" + height);
                }
                return new ImageFacts(format, "image/" + format, width, height);
            } finally {
                reader.dispose();
            }
        } catch (InvalidImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidImageException("image.corrupt", "cannot decode: " + e.getMessage());
        }
    }

    /** A file cut short loses its end marker; that is the commonest damage a download or copy does. */
    private static void checkEndMarker(String format, byte[] bytes) throws InvalidImageException {
        boolean complete = switch (format) {
            case "jpeg" -> endsWithJpegEoi(bytes);
            case "png" -> endsWith(bytes, PNG_IEND);
            case "gif" -> bytes[lastNonZero(bytes)] == 0x3B;
            default -> true;
        };
        if (!complete) {
            throw new InvalidImageException("image.truncated", "the " + format + " file ends before its end marker ("
                    + bytes.length + " bytes)");
        }
    }

    private static boolean endsWithJpegEoi(byte[] bytes) {
        // Some encoders pad after EOI; look at the last two bytes that are not padding.
        int end = lastNonZero(bytes);
        return end >= 1 && bytes[end - 1] == (byte) 0xFF && bytes[end] == (byte) 0xD9;
    }

    private static int lastNonZero(byte[] bytes) {
        int i = bytes.length - 1;
        while (i > 0 && bytes[i] == 0) {
            i--;
        }
        return i;
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        if (bytes.length < suffix.length) {
            return false;
        }
        for (int i = 0; i < suffix.length; i++) {
            if (bytes[bytes.length - suffix.length + i] != suffix[i]) {
                return false;
            }
        }
        return true;
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
