package io.vlitforge.shared.images;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A 64-bit difference hash (dHash) of an image, for near-duplicate pictures across sources: the same
 * photo re-encoded, resized or recompressed by another data set gets a hash a few bits away, while the
 * exact sha256 id differs. The picture is decoded subsampled (to about 64 pixels on its short side, so a
 * large image costs little memory), reduced to 9x8 grey cells by area average, and each bit says whether
 * a cell is brighter than its right neighbour. Written as 16 lowercase hex digits. Ingestion computes it
 * for every image; tests of the near-duplicate-image filter compute it the same way.
 */
public final class PerceptualHash {

    private PerceptualHash() {
    }

    /** The dHash of the image in {@code bytes}, or {@code null} if it cannot be decoded. */
    public static String dHash(byte[] bytes) {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(input, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                ImageReadParam param = reader.getDefaultReadParam();
                int step = Math.max(1, Math.min(w, h) / 64);
                param.setSourceSubsampling(step, step, 0, 0);
                return dHash(reader.read(0, param));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The dHash of a decoded image. */
    public static String dHash(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        double[][] cells = new double[8][9];
        double[][] counts = new double[8][9];
        for (int y = 0; y < h; y++) {
            int row = Math.min(7, y * 8 / h);
            for (int x = 0; x < w; x++) {
                int col = Math.min(8, x * 9 / w);
                int rgb = image.getRGB(x, y);
                double grey = 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
                cells[row][col] += grey;
                counts[row][col]++;
            }
        }
        long bits = 0;
        for (int row = 0; row < 8; row++) {
            for (int col = 0; col < 8; col++) {
                double left = cells[row][col] / Math.max(1, counts[row][col]);
                double right = cells[row][col + 1] / Math.max(1, counts[row][col + 1]);
                bits = (bits << 1) | (left > right ? 1 : 0);
            }
        }
        return String.format(Locale.ROOT, "%016x", bits);
    }

    /** Bits that differ between two hashes: 0 for the same picture, a few for a re-encoded copy. */
    public static int distance(String a, String b) {
        return Long.bitCount(Long.parseUnsignedLong(a, 16) ^ Long.parseUnsignedLong(b, 16));
    }
}
