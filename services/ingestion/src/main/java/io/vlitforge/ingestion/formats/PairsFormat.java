package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.ids.Ids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Image-caption pairs (CC3M/CC12M/SBU/LAION style): a TSV ({@code path<TAB>caption} or
 * {@code caption<TAB>path}, with or without a header naming the columns) or JSONL ({@code image}/
 * {@code path}/{@code file_name}/{@code url} plus {@code caption}/{@code text}). Lines of the same image
 * become one item with several captions. Paths are local files relative to the images folder (or to the
 * pairs file); {@code http(s)} URLs are fetched by the ingest service when URL sources are enabled
 * (refused with {@code image.url_fetch_disabled} otherwise).
 */
public final class PairsFormat implements AnnotationFormat {

    private static final List<String> IMAGE_KEYS = List.of("image", "path", "file_name", "filepath", "url", "image_url");
    private static final List<String> TEXT_KEYS = List.of("caption", "text", "TEXT", "alt");

    @Override
    public String name() {
        return "pairs";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path file : paths) {
            if (!Files.isRegularFile(file)) {
                throw new SourceFormatException("not a pairs file: " + file);
            }
            List<String> lines = Json.lines(file, result);
            if (lines == null) {
                continue;
            }
            String name = file.getFileName().toString();
            boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".json");
            Map<String, SourceItem> items = new LinkedHashMap<>();
            int imageColumn = -1;
            int textColumn = -1;
            for (int n = 0; n < lines.size(); n++) {
                String line = lines.get(n);
                String where = name + " line " + (n + 1);
                if (line.isBlank()) {
                    continue;
                }
                String image;
                String caption;
                if (jsonl) {
                    JsonNode row = Json.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), where, result);
                    if (row == null) {
                        continue;
                    }
                    image = first(row, IMAGE_KEYS);
                    caption = first(row, TEXT_KEYS);
                } else {
                    String[] cells = line.split("\t", -1);
                    if (n == 0 && header(cells)) {
                        for (int c = 0; c < cells.length; c++) {
                            String h = cells[c].strip().toLowerCase(Locale.ROOT);
                            if (IMAGE_KEYS.contains(h)) {
                                imageColumn = c;
                            } else if (TEXT_KEYS.stream().anyMatch(k -> k.equalsIgnoreCase(h))) {
                                textColumn = c;
                            }
                        }
                        continue;
                    }
                    if (cells.length < 2) {
                        result.problem(where, "annotation.malformed_pair", "expected two tab-separated columns");
                        continue;
                    }
                    int ic = imageColumn >= 0 ? imageColumn : looksLikeImage(cells[0]) ? 0 : 1;
                    int tc = textColumn >= 0 ? textColumn : 1 - Math.min(ic, 1);
                    image = ic < cells.length ? cells[ic].strip() : null;
                    caption = tc < cells.length ? cells[tc] : null;
                }
                if (image == null || image.isBlank()) {
                    result.problem(where, "annotation.missing_image", "no image path or URL");
                    continue;
                }
                String text = Json.usableText(caption, where, result);
                if (text == null) {
                    continue;
                }
                String sourceId = image.length() <= 100 ? image : "sha256:" + Ids.sha256Hex(image).substring(0, 40);
                SourceItem item = items.computeIfAbsent(sourceId, id -> {
                    SourceItem i = new SourceItem(name(), name.replaceFirst("\\.[^.]+$", ""), id, image);
                    i.baseDir = file.getParent();
                    return i;
                });
                item.captions.add(new SourceItem.Caption(name + ":" + (n + 1), text));
            }
            result.items.addAll(items.values());
        }
        return result;
    }

    private static boolean header(String[] cells) {
        for (String c : cells) {
            String h = c.strip().toLowerCase(Locale.ROOT);
            if (IMAGE_KEYS.contains(h)) {
                return true;
            }
        }
        return false;
    }

    private static boolean looksLikeImage(String cell) {
        String c = cell.strip().toLowerCase(Locale.ROOT);
        return c.startsWith("http://") || c.startsWith("https://") || c.matches(".*\\.(jpe?g|png|gif|bmp|webp)$");
    }

    private static String first(JsonNode row, List<String> keys) {
        for (String k : keys) {
            String v = Json.text(row, k);
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
