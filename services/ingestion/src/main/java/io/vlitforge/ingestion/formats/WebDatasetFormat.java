package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * WebDataset tar shards: files grouped by key (the name up to its first dot), the image as
 * {@code <key>.jpg|jpeg|png|gif|bmp|webp} and its caption as {@code <key>.txt} or as {@code caption}/
 * {@code text}/{@code captions} in {@code <key>.json}. The image bytes travel inside the item. Paths are
 * shards or folders of {@code *.tar} shards.
 */
public final class WebDatasetFormat implements AnnotationFormat {

    /** A member larger than this is refused before it is read. */
    public static final long MAX_MEMBER_BYTES = 50L * 1024 * 1024;

    @Override
    public String name() {
        return "webdataset";
    }

    @Override
    public ReadResult read(List<Path> paths) throws IOException {
        ReadResult result = new ReadResult();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> list = Files.list(p)) {
                    for (Path shard : list.filter(f -> f.toString().endsWith(".tar")).sorted().toList()) {
                        readShard(shard, result);
                    }
                }
            } else if (Files.isRegularFile(p)) {
                readShard(p, result);
            } else {
                throw new SourceFormatException("no WebDataset shard at " + p);
            }
        }
        return result;
    }

    private void readShard(Path shard, ReadResult result) {
        String shardName = shard.getFileName().toString();
        Map<String, SourceItem> items = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(shard));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String member = entry.getName();
                String base = member.substring(member.lastIndexOf('/') + 1);
                int dot = base.indexOf('.');
                if (dot <= 0) {
                    result.problem(shardName + ":" + member, "annotation.malformed_member", "no key.extension name");
                    continue;
                }
                String key = member.substring(0, member.length() - base.length() + dot);
                String ext = base.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (entry.getSize() > MAX_MEMBER_BYTES) {
                    result.problem(shardName + ":" + member, "image.too_large",
                            entry.getSize() + " bytes, more than " + MAX_MEMBER_BYTES);
                    continue;
                }
                byte[] bytes = tar.readNBytes((int) entry.getSize());
                String sourceId = (shardName + "/" + key).length() <= 100 ? shardName + "/" + key
                        : "sha256:" + io.vlitforge.shared.ids.Ids.sha256Hex(shardName + "/" + key).substring(0, 40);
                SourceItem item = items.computeIfAbsent(key, k -> new SourceItem(name(), shardName, sourceId, member));
                switch (ext) {
                    case "jpg", "jpeg", "png", "gif", "bmp", "webp" -> {
                        item.bytes = bytes;
                        item.fileName = member;
                    }
                    case "txt" -> {
                        if (!Json.validUtf8(bytes)) {
                            result.problem(shardName + ":" + member, "source.invalid_utf8", "caption is not UTF-8");
                            continue;
                        }
                        String text = Json.usableText(new String(bytes, StandardCharsets.UTF_8),
                                shardName + ":" + member, result);
                        if (text != null) {
                            item.captions.add(new SourceItem.Caption(sourceId + ".txt", text));
                        }
                    }
                    case "json" -> {
                        JsonNode json = Json.parse(bytes, shardName + ":" + member, result);
                        if (json == null) {
                            continue;
                        }
                        String caption = Json.text(json, "caption") != null ? Json.text(json, "caption")
                                : Json.text(json, "text");
                        if (caption != null && item.captions.stream().noneMatch(c -> c.text().equals(caption.strip()))) {
                            String text = Json.usableText(caption, shardName + ":" + member, result);
                            if (text != null) {
                                item.captions.add(new SourceItem.Caption(sourceId + ".json", text));
                            }
                        }
                        int i = 0;
                        for (String c : Json.strings(json, "captions")) {
                            String text = Json.usableText(c, shardName + ":" + member, result);
                            if (text != null) {
                                item.captions.add(new SourceItem.Caption(sourceId + ".json#" + i++, text));
                            }
                        }
                    }
                    default -> {
                        // Other members (.cls, .npy, ...) carry nothing this model keeps.
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            result.problem(shardName, "source.corrupt_archive", "cannot read the tar shard: " + e.getMessage());
        }
        for (SourceItem item : items.values()) {
            if (item.bytes == null) {
                result.problem(shardName + ":" + item.sourceId, "image.missing", "the sample has no image member");
            } else {
                result.items.add(item);
            }
        }
    }
}
