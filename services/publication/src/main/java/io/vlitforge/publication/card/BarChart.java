package io.vlitforge.publication.card;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A horizontal bar chart drawn with Java2D into a PNG: one bar per labelled value, the value printed at the
 * bar's end. Small on purpose (no charting library): a dataset card needs counts a reader can compare at a
 * glance, and drawing them ourselves keeps the bytes a pure function of the data (fixed size, fixed colours,
 * no timestamps in the PNG), so a rebuilt release has identical charts.
 */
public final class BarChart {

    /** One bar. */
    public record Bar(String label, double value) {
    }

    static final int WIDTH = 800;
    private static final int BAR_HEIGHT = 22;
    private static final int GAP = 6;
    private static final int TOP = 44;
    private static final int BOTTOM = 16;
    private static final int LABEL_WIDTH = 230;
    private static final Color BAR = new Color(0x3B, 0x6E, 0xA8);
    private static final Color TEXT = new Color(0x22, 0x22, 0x22);

    private BarChart() {
    }

    /** The chart's PNG bytes; {@code bars} in the order they are drawn, top to bottom. */
    public static byte[] png(String title, List<Bar> bars) {
        int height = TOP + BOTTOM + Math.max(1, bars.size()) * (BAR_HEIGHT + GAP);
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
            int plotWidth = WIDTH - LABEL_WIDTH - 90;
            g.setColor(TEXT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, 12, 26);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics metrics = g.getFontMetrics();
            int y = TOP;
            for (Bar bar : bars) {
                int length = max <= 0 ? 0 : (int) Math.round(bar.value() / max * plotWidth);
                g.setColor(BAR);
                g.fillRect(LABEL_WIDTH, y, Math.max(length, bar.value() > 0 ? 1 : 0), BAR_HEIGHT);
                g.setColor(TEXT);
                String label = fit(bar.label(), metrics, LABEL_WIDTH - 16);
                g.drawString(label, LABEL_WIDTH - 8 - metrics.stringWidth(label), y + BAR_HEIGHT - 6);
                g.drawString(format(bar.value()), LABEL_WIDTH + length + 6, y + BAR_HEIGHT - 6);
                y += BAR_HEIGHT + GAP;
            }
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.GRAY);
            g.drawLine(LABEL_WIDTH, TOP - 4, LABEL_WIDTH, y);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String fit(String label, FontMetrics metrics, int width) {
        String text = label == null ? "(none)" : label;
        if (metrics.stringWidth(text) <= width) {
            return text;
        }
        while (text.length() > 1 && metrics.stringWidth(text + "…") > width) {
            text = text.substring(0, text.length() - 1);
        }
        return text + "…";
    }

    static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.3f", value);
    }
}
