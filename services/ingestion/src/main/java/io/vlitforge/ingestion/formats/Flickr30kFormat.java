package io.vlitforge.ingestion.formats;

import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Flickr30k Entities: {@code Sentences/<image id>.txt} (five captions, phrases marked
 * {@code [/EN#<entity id>/<type>/<type> words]}) and, where given, {@code Annotations/<image id>.xml}
 * (Pascal VOC style boxes whose {@code name} is the entity id, pixel corners). The captions are kept
 * without the markup; each phrase becomes a grounded phrase with its word offset, entity id and types;
 * each box an entity box ({@code xyxy}) named by the entity's first type. The image is
 * {@code <image id>.jpg} next to the {@code Sentences} folder.
 */
public final class Flickr30kFormat implements AnnotationFormat {

    private static final Pattern PHRASE = Pattern.compile("\\[/EN#(\\d+)((?:/[A-Za-z_]+)+) ([^\\[\\]]+)]");

    @Override
    public String name() {
        return "flickr30k";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path p : paths) {
            Path sentences = firstDir(p.resolve("Sentences"), p.resolve("sentences"), p);
            if (!Files.isDirectory(sentences)) {
                throw new SourceFormatException("no Flickr30k Entities sentences folder at " + p);
            }
            Path parent = sentences.equals(p) ? p.getParent() : p;
            Path boxes = firstDir(parent.resolve("Annotations"), parent.resolve("annotations"), null);
            List<Path> files;
            try (Stream<Path> list = Files.list(sentences)) {
                files = list.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted().toList();
            }
            for (Path file : files) {
                readImage(file, parent, boxes, result);
            }
        }
        return result;
    }

    private void readImage(Path file, Path base, Path boxesDir, ReadResult result) {
        String imageId = file.getFileName().toString().replaceFirst("\\.txt$", "");
        if (!imageId.matches("[A-Za-z0-9_-]{1,100}")) {
            result.problem(file.getFileName().toString(), "annotation.unsafe_file_name", "not an image id");
            return;
        }
        List<String> lines = Json.lines(file, result);
        if (lines == null) {
            return;
        }
        SourceItem item = new SourceItem(name(), "default", imageId, imageId + ".jpg");
        item.baseDir = base;
        Map<String, String> typeOfEntity = new LinkedHashMap<>();
        int index = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            StringBuilder caption = new StringBuilder();
            List<GroundedPhrase> phrases = new ArrayList<>();
            Matcher m = PHRASE.matcher(line);
            int last = 0;
            while (m.find()) {
                caption.append(line, last, m.start());
                int firstWord = words(caption.toString());
                String phrase = m.group(3).strip();
                List<String> types = Arrays.stream(m.group(2).substring(1).split("/")).toList();
                phrases.add(new GroundedPhrase(item.captions.size(), firstWord, phrase, m.group(1), types));
                typeOfEntity.putIfAbsent(m.group(1), types.get(0));
                caption.append(phrase);
                last = m.end();
            }
            caption.append(line.substring(last));
            String text = caption.toString().replaceAll("\\s+", " ").replace(" .", ".").strip();
            if (text.contains("[/EN#") || text.contains("]")) {
                result.problem(imageId + " line " + (index + 1), "annotation.malformed_phrase",
                        "unbalanced entity markup: " + VisualGenomeFormat.shorten(
                                com.fasterxml.jackson.databind.node.TextNode.valueOf(line)));
                index++;
                continue;
            }
            String usable = Json.usableText(text, imageId + " line " + (index + 1), result);
            if (usable != null) {
                item.captions.add(new SourceItem.Caption(imageId + "#" + index, usable));
                item.phrases.addAll(phrases);
            }
            index++;
        }
        if (boxesDir != null && Files.isRegularFile(boxesDir.resolve(imageId + ".xml"))) {
            readBoxes(boxesDir.resolve(imageId + ".xml"), item, typeOfEntity, result);
        }
        result.items.add(item);
    }

    private static int words(String text) {
        String t = text.strip();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private void readBoxes(Path xml, SourceItem item, Map<String, String> typeOfEntity, ReadResult result) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // No DTDs and no external entities: an annotation file must not make the service read other files.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setExpandEntityReferences(false);
            Document doc = factory.newDocumentBuilder().parse(xml.toFile());
            Integer width = intOf(doc.getDocumentElement(), "width");
            Integer height = intOf(doc.getDocumentElement(), "height");
            if (width != null && height != null && width > 0 && height > 0) {
                item.width = width;
                item.height = height;
            }
            NodeList objects = doc.getElementsByTagName("object");
            int n = 0;
            for (int i = 0; i < objects.getLength(); i++) {
                Element object = (Element) objects.item(i);
                NodeList bndbox = object.getElementsByTagName("bndbox");
                if (bndbox.getLength() == 0) {
                    continue;
                }
                Element b = (Element) bndbox.item(0);
                Double x1 = doubleOf(b, "xmin");
                Double y1 = doubleOf(b, "ymin");
                Double x2 = doubleOf(b, "xmax");
                Double y2 = doubleOf(b, "ymax");
                NodeList names = object.getElementsByTagName("name");
                if (x1 == null || y1 == null || x2 == null || y2 == null || names.getLength() == 0) {
                    result.problem(item.sourceId + " box " + i, "annotation.malformed_box",
                            "a box needs a name and xmin, ymin, xmax, ymax");
                    continue;
                }
                for (int k = 0; k < names.getLength(); k++) {
                    String entity = names.item(k).getTextContent().strip();
                    item.boxes.add(new BoundingBox(typeOfEntity.getOrDefault(entity, "entity"), x1, y1, x2, y2,
                            entity, List.of(), BoxConventions.XYXY));
                    n++;
                }
            }
        } catch (Exception e) {
            result.problem(xml.getFileName().toString(), "source.not_xml", "cannot read the boxes: " + e.getMessage());
        }
    }

    private static Integer intOf(Element e, String tag) {
        Double d = doubleOf(e, tag);
        return d == null ? null : (int) Math.round(d);
    }

    private static Double doubleOf(Element e, String tag) {
        NodeList nodes = e.getElementsByTagName(tag);
        if (nodes.getLength() == 0) {
            return null;
        }
        try {
            double v = Double.parseDouble(nodes.item(0).getTextContent().strip());
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    private static Path firstDir(Path a, Path b, Path fallback) {
        return Files.isDirectory(a) ? a : Files.isDirectory(b) ? b : fallback;
    }
}
