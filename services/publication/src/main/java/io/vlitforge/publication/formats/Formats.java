package io.vlitforge.publication.formats;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The formats a release can be written in, by the names a request uses. Requests are normalised to one
 * canonical order, so that asking for {@code [webdataset, llava]} and {@code [llava, webdataset]} gives the
 * same manifest.
 */
public final class Formats {

    /** Canonical order: the order files are written and listed in. */
    public static final List<String> KNOWN = List.of(LlavaFormat.NAME, ShareGptFormat.NAME, WebDatasetFormat.NAME,
            ParquetFormat.NAME);
    /** What a request without {@code formats} gets: the LLaVA release this service has always written. */
    public static final List<String> DEFAULT = List.of(LlavaFormat.NAME);

    private Formats() {
    }

    /**
     * The requested formats in canonical order without repeats.
     *
     * @throws IllegalArgumentException naming the first unknown format, or when the list is empty
     */
    public static List<String> normalise(List<String> requested) {
        if (requested == null) {
            return DEFAULT;
        }
        if (requested.isEmpty()) {
            throw new IllegalArgumentException("formats must name at least one of " + String.join(", ", KNOWN));
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : requested) {
            if (name == null || !KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown format '" + name + "'; known formats: "
                        + String.join(", ", KNOWN));
            }
            wanted.add(name);
        }
        List<String> ordered = new ArrayList<>();
        for (String name : KNOWN) {
            if (wanted.contains(name)) {
                ordered.add(name);
            }
        }
        return List.copyOf(ordered);
    }

    /** The writer for a known format name. */
    public static ReleaseFormat writer(String name, long shardMaxBytes) {
        return switch (name) {
            case LlavaFormat.NAME -> new LlavaFormat();
            case ShareGptFormat.NAME -> new ShareGptFormat();
            case WebDatasetFormat.NAME -> new WebDatasetFormat(shardMaxBytes);
            case ParquetFormat.NAME -> new ParquetFormat(shardMaxBytes);
            default -> throw new IllegalArgumentException("unknown format '" + name + "'");
        };
    }
}
