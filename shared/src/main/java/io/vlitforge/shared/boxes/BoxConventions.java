package io.vlitforge.shared.boxes;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Exact conversions between the box conventions the annotation sources use and the internal one (COCO's
 * {@code [x, y, width, height]} in pixels from the top-left corner). Sources disagree: COCO writes
 * {@code [x, y, w, h]}, Visual Genome {@code x, y, w, h} fields, Flickr30k Entities and MultiInstruct pixel
 * corners {@code [x1, y1, x2, y2]}, LLaVA corners normalised to 0..1 (three decimals). Arithmetic is done
 * on the decimal values as written ({@link BigDecimal#valueOf(double)}), so {@code 0.1 + 0.2} is
 * {@code 0.3}, and corner/size round trips give back exactly what went in; normalised values go back to
 * pixels rounded to {@link #PIXEL_SCALE} decimals (a micro-pixel), which makes normalise-then-denormalise
 * exact for any pixel value with up to six decimals.
 */
public final class BoxConventions {

    /** COCO {@code bbox: [x, y, width, height]}, pixels; the internal convention. */
    public static final String COCO_XYWH = "coco-xywh";
    /** Visual Genome {@code x, y, w, h} (objects, attributes, regions): pixels, same meaning as COCO. */
    public static final String VG_XYWH = "vg-xywh";
    /** Corners {@code [x1, y1, x2, y2]} in pixels (Flickr30k Entities, MultiInstruct, refer toolkit outputs). */
    public static final String XYXY = "xyxy";
    /** Corners divided by the image's width and height (LLaVA's {@code [x1, y1, x2, y2]} in 0..1). */
    public static final String NORMALISED_XYXY = "normalised-xyxy";
    /** {@code [x, y, w, h]} divided by the image's width and height. */
    public static final String NORMALISED_XYWH = "normalised-xywh";

    /** Decimals kept when normalised values go back to pixels. */
    public static final int PIXEL_SCALE = 6;
    /** Decimals kept by default when pixels are normalised (enough for a round trip at {@link #PIXEL_SCALE}). */
    public static final int NORMALISED_SCALE = 12;

    private BoxConventions() {
    }

    /** A box in the internal convention. */
    public record PixelBox(double x, double y, double width, double height) {

        public double x2() {
            return add(x, width);
        }

        public double y2() {
            return add(y, height);
        }
    }

    /** The result of fitting a box into its image: the box and what was done, {@code null} if nothing. */
    public record Clipped(PixelBox box, String change) {
    }

    /** Whether {@code convention} is one this class converts. */
    public static boolean known(String convention) {
        return switch (normaliseName(convention)) {
            case COCO_XYWH, VG_XYWH, XYXY, NORMALISED_XYXY, NORMALISED_XYWH -> true;
            default -> false;
        };
    }

    /**
     * Four values in {@code convention} to the internal convention; the image size is needed only for the
     * normalised conventions.
     */
    public static PixelBox toPixels(String convention, double a, double b, double c, double d, int imageWidth,
            int imageHeight) {
        requireFinite(a, b, c, d);
        return switch (normaliseName(convention)) {
            case COCO_XYWH, VG_XYWH -> new PixelBox(a, b, c, d);
            case XYXY -> new PixelBox(a, b, subtract(c, a), subtract(d, b));
            case NORMALISED_XYXY -> {
                requireSize(imageWidth, imageHeight);
                double x1 = denormalise(a, imageWidth);
                double y1 = denormalise(b, imageHeight);
                yield new PixelBox(x1, y1, subtract(denormalise(c, imageWidth), x1),
                        subtract(denormalise(d, imageHeight), y1));
            }
            case NORMALISED_XYWH -> {
                requireSize(imageWidth, imageHeight);
                yield new PixelBox(denormalise(a, imageWidth), denormalise(b, imageHeight),
                        denormalise(c, imageWidth), denormalise(d, imageHeight));
            }
            default -> throw new IllegalArgumentException("unknown box convention: " + convention);
        };
    }

    /** The internal box in {@code convention}, normalised values to {@link #NORMALISED_SCALE} decimals. */
    public static double[] fromPixels(String convention, PixelBox box, int imageWidth, int imageHeight) {
        return fromPixels(convention, box, imageWidth, imageHeight, NORMALISED_SCALE);
    }

    /** As {@link #fromPixels(String, PixelBox, int, int)}, normalised values rounded half-up to {@code decimals}. */
    public static double[] fromPixels(String convention, PixelBox box, int imageWidth, int imageHeight,
            int decimals) {
        return switch (normaliseName(convention)) {
            case COCO_XYWH, VG_XYWH -> new double[] {box.x(), box.y(), box.width(), box.height()};
            case XYXY -> new double[] {box.x(), box.y(), box.x2(), box.y2()};
            case NORMALISED_XYXY -> {
                requireSize(imageWidth, imageHeight);
                yield new double[] {normalise(box.x(), imageWidth, decimals), normalise(box.y(), imageHeight, decimals),
                        normalise(box.x2(), imageWidth, decimals), normalise(box.y2(), imageHeight, decimals)};
            }
            case NORMALISED_XYWH -> {
                requireSize(imageWidth, imageHeight);
                yield new double[] {normalise(box.x(), imageWidth, decimals), normalise(box.y(), imageHeight, decimals),
                        normalise(box.width(), imageWidth, decimals), normalise(box.height(), imageHeight, decimals)};
            }
            default -> throw new IllegalArgumentException("unknown box convention: " + convention);
        };
    }

    /** From one convention straight to another. */
    public static double[] convert(String from, String to, double a, double b, double c, double d, int imageWidth,
            int imageHeight) {
        return fromPixels(to, toPixels(from, a, b, c, d, imageWidth, imageHeight), imageWidth, imageHeight);
    }

    /**
     * Fits a box into a {@code imageWidth x imageHeight} image. Returns the box unchanged with a
     * {@code null} change when it fits; otherwise the intersection with the image and a description of
     * what was cut; {@code null} when nothing of the box is inside the image (or it has no area).
     */
    public static Clipped clip(PixelBox box, int imageWidth, int imageHeight) {
        requireSize(imageWidth, imageHeight);
        double x1 = Math.max(0, box.x());
        double y1 = Math.max(0, box.y());
        double x2 = Math.min(imageWidth, box.x2());
        double y2 = Math.min(imageHeight, box.y2());
        if (!(x2 > x1) || !(y2 > y1)) {
            return null;
        }
        if (x1 == box.x() && y1 == box.y() && x2 == box.x2() && y2 == box.y2()) {
            return new Clipped(box, null);
        }
        PixelBox fitted = new PixelBox(x1, y1, subtract(x2, x1), subtract(y2, y1));
        return new Clipped(fitted, String.format(Locale.ROOT, "[%s, %s, %s, %s] clipped to [%s, %s, %s, %s] in %dx%d",
                plain(box.x()), plain(box.y()), plain(box.width()), plain(box.height()), plain(fitted.x()),
                plain(fitted.y()), plain(fitted.width()), plain(fitted.height()), imageWidth, imageHeight));
    }

    /** Scales a box from an image of one size to the same picture at another size (VG to COCO pixels). */
    public static PixelBox rescale(PixelBox box, int fromWidth, int fromHeight, int toWidth, int toHeight) {
        requireSize(fromWidth, fromHeight);
        requireSize(toWidth, toHeight);
        if (fromWidth == toWidth && fromHeight == toHeight) {
            return box;
        }
        return new PixelBox(scale(box.x(), toWidth, fromWidth), scale(box.y(), toHeight, fromHeight),
                scale(box.width(), toWidth, fromWidth), scale(box.height(), toHeight, fromHeight));
    }

    private static double scale(double v, int to, int from) {
        return BigDecimal.valueOf(v).multiply(BigDecimal.valueOf(to))
                .divide(BigDecimal.valueOf(from), PIXEL_SCALE, RoundingMode.HALF_UP).stripTrailingZeros().doubleValue();
    }

    private static String normaliseName(String convention) {
        return convention == null ? COCO_XYWH : convention.strip().toLowerCase(Locale.ROOT);
    }

    static double add(double a, double b) {
        return BigDecimal.valueOf(a).add(BigDecimal.valueOf(b)).doubleValue();
    }

    static double subtract(double a, double b) {
        return BigDecimal.valueOf(a).subtract(BigDecimal.valueOf(b)).doubleValue();
    }

    private static double denormalise(double v, int size) {
        return BigDecimal.valueOf(v).multiply(BigDecimal.valueOf(size))
                .setScale(PIXEL_SCALE, RoundingMode.HALF_UP).doubleValue();
    }

    private static double normalise(double v, int size, int decimals) {
        return BigDecimal.valueOf(v).divide(BigDecimal.valueOf(size), new MathContext(34))
                .setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    private static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    private static void requireFinite(double... values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("box value is not a finite number: " + v);
            }
        }
    }

    private static void requireSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
    }
}
