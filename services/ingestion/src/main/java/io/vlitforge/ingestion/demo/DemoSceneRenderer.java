package io.vlitforge.ingestion.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Renders the demo data set: scenes of simple coloured shapes, written as a real COCO folder
 * ({@code annotations/captions_demo.json}, {@code annotations/instances_demo.json}, {@code images/*.png}).
 * Real photographs cannot ship in the repository; these can, and their boxes and captions are exact
 * because the renderer drew what they say. The same seed gives the same bytes.
 *
 * <p>With {@code withFaults}, the folder also holds the kinds of damage real data sets have (a truncated
 * image file, a box outside its image, a caption of an image that is not listed), so that a demo shows
 * rejection records next to the accepted data.
 */
public final class DemoSceneRenderer {

    public static final String SPLIT = "demo";
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final String[] SHAPES = {"circle", "square", "triangle", "diamond"};
    private static final Map<String, Color> COLOURS = new LinkedHashMap<>();

    static {
        COLOURS.put("red", new Color(220, 40, 40));
        COLOURS.put("green", new Color(40, 170, 70));
        COLOURS.put("blue", new Color(40, 80, 220));
        COLOURS.put("yellow", new Color(235, 200, 30));
        COLOURS.put("purple", new Color(140, 60, 180));
    }

    /** Where the folder was written and how many images it has. */
    public record DemoFolder(Path annotationsDir, Path imagesDir, int images) {
    }

    private record Shape(String kind, String colour, int x, int y, int size) {
    }

    public DemoFolder render(Path outputDir, int count, long seed) throws IOException {
        return render(outputDir, count, seed, false);
    }

    public DemoFolder render(Path outputDir, int count, long seed, boolean withFaults) throws IOException {
        if (count < 1 || count > 10_000) {
            throw new IllegalArgumentException("count must be between 1 and 10000");
        }
        Path annotations = Files.createDirectories(outputDir.resolve("annotations"));
        Path images = Files.createDirectories(outputDir.resolve("images"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode captionsRoot = cocoRoot(json);
        ObjectNode instancesRoot = cocoRoot(json);
        ArrayNode categories = instancesRoot.putArray("categories");
        for (int i = 0; i < SHAPES.length; i++) {
            categories.addObject().put("id", i + 1).put("name", SHAPES[i]).put("supercategory", "shape");
        }
        ArrayNode captionAnnotations = captionsRoot.putArray("annotations");
        ArrayNode boxAnnotations = instancesRoot.putArray("annotations");
        Random random = new Random(seed);
        long annotationId = 1;
        for (int imageId = 1; imageId <= count; imageId++) {
            List<Shape> shapes = layout(random);
            String fileName = String.format("scene_%05d.png", imageId);
            ImageIO.write(draw(shapes), "png", images.resolve(fileName).toFile());
            for (ObjectNode root : new ObjectNode[] {captionsRoot, instancesRoot}) {
                ((ArrayNode) root.get("images")).addObject().put("id", imageId).put("file_name", fileName)
                        .put("width", WIDTH).put("height", HEIGHT).put("license", 1);
            }
            for (String caption : captions(shapes, random)) {
                captionAnnotations.addObject().put("id", annotationId++).put("image_id", imageId)
                        .put("caption", caption);
            }
            for (Shape s : shapes) {
                ObjectNode a = boxAnnotations.addObject().put("id", annotationId++).put("image_id", imageId)
                        .put("category_id", indexOf(s.kind()) + 1).put("iscrowd", 0)
                        .put("area", (double) s.size() * s.size());
                a.putArray("bbox").add(s.x()).add(s.y()).add(s.size()).add(s.size());
            }
        }
        if (withFaults) {
            addFaults(images, captionsRoot, instancesRoot, count, annotationId);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(annotations.resolve("captions_" + SPLIT + ".json").toFile(),
                captionsRoot);
        json.writerWithDefaultPrettyPrinter().writeValue(annotations.resolve("instances_" + SPLIT + ".json").toFile(),
                instancesRoot);
        return new DemoFolder(annotations, images, count);
    }

    private static void addFaults(Path images, ObjectNode captionsRoot, ObjectNode instancesRoot, int count,
            long nextAnnotationId) throws IOException {
        int brokenId = count + 1;
        String brokenFile = "scene_truncated.png";
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        ImageIO.write(draw(List.of(new Shape("circle", "red", 10, 10, 40))), "png", png);
        byte[] whole = png.toByteArray();
        Files.write(images.resolve(brokenFile), java.util.Arrays.copyOf(whole, whole.length / 2));
        for (ObjectNode root : new ObjectNode[] {captionsRoot, instancesRoot}) {
            ((ArrayNode) root.get("images")).addObject().put("id", brokenId).put("file_name", brokenFile)
                    .put("width", WIDTH).put("height", HEIGHT).put("license", 1);
        }
        ((ArrayNode) captionsRoot.get("annotations")).addObject().put("id", nextAnnotationId)
                .put("image_id", brokenId).put("caption", "A red circle on a light background.");
        ((ArrayNode) captionsRoot.get("annotations")).addObject().put("id", nextAnnotationId + 1)
                .put("image_id", brokenId + 1).put("caption", "A caption of an image that is not listed.");
        ObjectNode outside = ((ArrayNode) instancesRoot.get("annotations")).addObject().put("id", nextAnnotationId + 2)
                .put("image_id", 1).put("category_id", 1).put("iscrowd", 0).put("area", 900.0);
        outside.putArray("bbox").add(WIDTH - 10).add(HEIGHT - 10).add(30).add(30);
    }

    private static ObjectNode cocoRoot(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.putObject("info").put("description", "VLIT Forge demo scenes").put("version", "1.0");
        root.putArray("licenses").addObject().put("id", 1)
                .put("name", "CC0 1.0 (rendered by VLIT Forge)")
                .put("url", "https://creativecommons.org/publicdomain/zero/1.0/");
        root.putArray("images");
        return root;
    }

    /** Places 1-5 shapes without overlap, so every box holds exactly one whole shape. */
    private static List<Shape> layout(Random random) {
        int wanted = 1 + random.nextInt(5);
        List<Shape> shapes = new ArrayList<>();
        String[] colours = COLOURS.keySet().toArray(String[]::new);
        for (int attempt = 0; attempt < 200 && shapes.size() < wanted; attempt++) {
            int size = 30 + random.nextInt(40);
            int x = 5 + random.nextInt(WIDTH - size - 10);
            int y = 5 + random.nextInt(HEIGHT - size - 10);
            Shape candidate = new Shape(SHAPES[random.nextInt(SHAPES.length)],
                    colours[random.nextInt(colours.length)], x, y, size);
            if (shapes.stream().noneMatch(s -> overlaps(s, candidate))) {
                shapes.add(candidate);
            }
        }
        return shapes;
    }

    private static boolean overlaps(Shape a, Shape b) {
        int gap = 4;
        return a.x() < b.x() + b.size() + gap && b.x() < a.x() + a.size() + gap
                && a.y() < b.y() + b.size() + gap && b.y() < a.y() + a.size() + gap;
    }

    private static BufferedImage draw(List<Shape> shapes) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(new Color(245, 243, 236));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        for (Shape s : shapes) {
            g.setColor(COLOURS.get(s.colour()));
            int x = s.x();
            int y = s.y();
            int n = s.size();
            switch (s.kind()) {
                case "circle" -> g.fillOval(x, y, n, n);
                case "square" -> g.fillRect(x, y, n, n);
                case "triangle" -> g.fillPolygon(new Polygon(new int[] {x, x + n / 2, x + n},
                        new int[] {y + n, y, y + n}, 3));
                default -> g.fillPolygon(new Polygon(new int[] {x + n / 2, x + n, x + n / 2, x},
                        new int[] {y, y + n / 2, y + n, y + n / 2}, 4));
            }
        }
        g.dispose();
        return image;
    }

    /** Five captions that say exactly what was drawn, in different words. */
    private static List<String> captions(List<Shape> shapes, Random random) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Shape s : shapes) {
            counts.merge(s.colour() + " " + s.kind(), 1, Integer::sum);
        }
        List<String> phrases = new ArrayList<>();
        counts.forEach((what, n) -> phrases.add(n == 1 ? article(what) + " " + what : words(n) + " " + what + "s"));
        String list = join(phrases);
        String total = shapes.size() == 1 ? "a single shape" : words(shapes.size()) + " shapes";
        String[] openings = {
            "A plain light background with " + list + ".",
            "There is " + list + " on a light background.",
            "A simple drawing of " + list + ".",
            "An image showing " + total + ": " + list + ".",
            "Flat coloured shapes: " + list + " on an off-white canvas."
        };
        List<String> result = new ArrayList<>(List.of(openings));
        java.util.Collections.shuffle(result, random);
        return result;
    }

    private static String join(List<String> phrases) {
        if (phrases.size() == 1) {
            return phrases.get(0);
        }
        return String.join(", ", phrases.subList(0, phrases.size() - 1)) + " and " + phrases.get(phrases.size() - 1);
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    private static String words(int n) {
        String[] words = {"zero", "one", "two", "three", "four", "five", "six"};
        return n < words.length ? words[n] : Integer.toString(n);
    }

    private static int indexOf(String shape) {
        for (int i = 0; i < SHAPES.length; i++) {
            if (SHAPES[i].equals(shape)) {
                return i;
            }
        }
        throw new IllegalArgumentException(shape);
    }
}
