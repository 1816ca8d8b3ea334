package io.vlitforge.shared.boxes;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a box is written inside instruction text, in the conventions the models trained on such data expect.
 * Annotation adaption writes every box of a sample in one of them and records which in the sample's lineage,
 * so a trainer can take the data set that matches its model:
 * <ul>
 *   <li>{@code llava}: corners normalised by the image's width and height, three decimals,
 *       {@code [0.123, 0.456, 0.789, 0.900]} (LLaVA-Instruct's symbolic boxes);</li>
 *   <li>{@code llava-1.5-square}: the same after padding the image to a square with the image centred,
 *       as LLaVA-1.5 does before encoding ({@code expand2square}), so a box means the same on the padded input;</li>
 *   <li>{@code qwen-vl}: {@code <box>(x1,y1),(x2,y2)</box>} with integers on 0..1000 (Qwen-VL);</li>
 *   <li>{@code ofa-bins}: four location tokens {@code <bin_x1> <bin_y1> <bin_x2> <bin_y2>} over 1000 bins
 *       (OFA, MultiInstruct);</li>
 *   <li>{@code minigpt-v2}: {@code {<x1><y1><x2><y2>}} with integers on 0..100 (MiniGPT-v2);</li>
 *   <li>{@code pixels}: integer pixel corners {@code [x1, y1, x2, y2]}.</li>
 * </ul>
 * {@link #parse} reads any of them back to pixel corners (to the precision the text carries), which lets a
 * filter check that a box in an answer is a box.
 */
public final class BoxText {

    public static final String LLAVA = "llava";
    public static final String LLAVA_SQUARE = "llava-1.5-square";
    public static final String QWEN_VL = "qwen-vl";
    public static final String OFA_BINS = "ofa-bins";
    public static final String MINIGPT_V2 = "minigpt-v2";
    public static final String PIXELS = "pixels";

    public static final List<String> CONVENTIONS = List.of(LLAVA, LLAVA_SQUARE, QWEN_VL, OFA_BINS, MINIGPT_V2, PIXELS);

    private static final int OFA_BINS_COUNT = 1000;

    private static final Pattern BRACKETED = Pattern.compile(
            "\\[\\s*(-?\\d+(?:\\.\\d+)?)\\s*,\\s*(-?\\d+(?:\\.\\d+)?)\\s*,\\s*(-?\\d+(?:\\.\\d+)?)\\s*,\\s*(-?\\d+(?:\\.\\d+)?)\\s*]");
    private static final Pattern QWEN = Pattern.compile("<box>\\((\\d+),(\\d+)\\),\\((\\d+),(\\d+)\\)</box>");
    private static final Pattern BINS = Pattern.compile("<bin_(\\d+)>\\s*<bin_(\\d+)>\\s*<bin_(\\d+)>\\s*<bin_(\\d+)>");
    private static final Pattern MINIGPT = Pattern.compile("\\{<(\\d+)><(\\d+)><(\\d+)><(\\d+)>}");

    private BoxText() {
    }

    /** Pixel corners of a box. */
    public record Corners(double x1, double y1, double x2, double y2) {
    }

    /** Whether {@code convention} is one of {@link #CONVENTIONS}. */
    public static boolean known(String convention) {
        return CONVENTIONS.contains(convention);
    }

    /** The box ({@code x, y, width, height} in pixels) written in {@code convention}. */
    public static String format(String convention, double x, double y, double width, double height,
            int imageWidth, int imageHeight) {
        if (imageWidth <= 0 || imageHeight <= 0) {
            throw new IllegalArgumentException("image size unknown (" + imageWidth + "x" + imageHeight + ")");
        }
        double x2 = x + width;
        double y2 = y + height;
        return switch (convention) {
            case LLAVA -> "[" + dec(x / imageWidth) + ", " + dec(y / imageHeight) + ", " + dec(x2 / imageWidth) + ", "
                    + dec(y2 / imageHeight) + "]";
            case LLAVA_SQUARE -> {
                int side = Math.max(imageWidth, imageHeight);
                double dx = (side - imageWidth) / 2.0;
                double dy = (side - imageHeight) / 2.0;
                yield "[" + dec((x + dx) / side) + ", " + dec((y + dy) / side) + ", " + dec((x2 + dx) / side) + ", "
                        + dec((y2 + dy) / side) + "]";
            }
            case QWEN_VL -> "<box>(" + scaled(x, imageWidth, 1000) + "," + scaled(y, imageHeight, 1000) + "),("
                    + scaled(x2, imageWidth, 1000) + "," + scaled(y2, imageHeight, 1000) + ")</box>";
            case OFA_BINS -> "<bin_" + bin(x, imageWidth) + "> <bin_" + bin(y, imageHeight) + "> <bin_" + bin(x2, imageWidth)
                    + "> <bin_" + bin(y2, imageHeight) + ">";
            case MINIGPT_V2 -> "{<" + scaled(x, imageWidth, 100) + "><" + scaled(y, imageHeight, 100) + "><"
                    + scaled(x2, imageWidth, 100) + "><" + scaled(y2, imageHeight, 100) + ">}";
            case PIXELS -> "[" + Math.round(x) + ", " + Math.round(y) + ", " + Math.round(x2) + ", " + Math.round(y2) + "]";
            default -> throw new IllegalArgumentException("unknown box convention '" + convention + "'; known: "
                    + CONVENTIONS);
        };
    }

    /** Every box written in {@code convention} in {@code text}, back in pixel corners, in order of appearance. */
    public static List<Corners> parse(String convention, String text, int imageWidth, int imageHeight) {
        List<Corners> boxes = new ArrayList<>();
        Pattern pattern = switch (convention) {
            case LLAVA, LLAVA_SQUARE, PIXELS -> BRACKETED;
            case QWEN_VL -> QWEN;
            case OFA_BINS -> BINS;
            case MINIGPT_V2 -> MINIGPT;
            default -> throw new IllegalArgumentException("unknown box convention '" + convention + "'");
        };
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            double a = Double.parseDouble(m.group(1));
            double b = Double.parseDouble(m.group(2));
            double c = Double.parseDouble(m.group(3));
            double d = Double.parseDouble(m.group(4));
            boxes.add(switch (convention) {
                case LLAVA -> new Corners(a * imageWidth, b * imageHeight, c * imageWidth, d * imageHeight);
                case LLAVA_SQUARE -> {
                    int side = Math.max(imageWidth, imageHeight);
                    double dx = (side - imageWidth) / 2.0;
                    double dy = (side - imageHeight) / 2.0;
                    yield new Corners(a * side - dx, b * side - dy, c * side - dx, d * side - dy);
                }
                case QWEN_VL -> new Corners(a * imageWidth / 1000, b * imageHeight / 1000, c * imageWidth / 1000,
                        d * imageHeight / 1000);
                case OFA_BINS -> new Corners(a * imageWidth / (OFA_BINS_COUNT - 1), b * imageHeight / (OFA_BINS_COUNT - 1),
                        c * imageWidth / (OFA_BINS_COUNT - 1), d * imageHeight / (OFA_BINS_COUNT - 1));
                case MINIGPT_V2 -> new Corners(a * imageWidth / 100, b * imageHeight / 100, c * imageWidth / 100,
                        d * imageHeight / 100);
                default -> new Corners(a, b, c, d);
            });
        }
        return boxes;
    }

    private static String dec(double value) {
        double clamped = Math.max(0, Math.min(1, value));
        return BigDecimal.valueOf(clamped).setScale(3, RoundingMode.HALF_UP).toPlainString();
    }

    private static int scaled(double value, int size, int scale) {
        long v = Math.round(value / size * scale);
        return (int) Math.max(0, Math.min(scale, v));
    }

    private static int bin(double value, int size) {
        long v = Math.round(value / size * (OFA_BINS_COUNT - 1));
        return (int) Math.max(0, Math.min(OFA_BINS_COUNT - 1, v));
    }

    /** Lower-case name as written in recipes; unknown names are returned unchanged for the error message. */
    public static String normalise(String convention) {
        return convention == null ? LLAVA : convention.strip().toLowerCase(Locale.ROOT);
    }
}
