package io.vlitforge.ingestion.formats;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every annotation format ingestion reads, by the name REST, the CLI and ingest requests use. */
public final class Formats {

    private static final Map<String, AnnotationFormat> BY_NAME = new LinkedHashMap<>();

    static {
        for (AnnotationFormat f : List.of(new CocoFormat(), new VisualGenomeFormat(), new VqaFormat(),
                new GqaFormat(), new Flickr30kFormat(), new RefCocoFormat(), new PairsFormat(), new WebDatasetFormat(),
                InstructionFormat.llava(), InstructionFormat.sharegpt(), InstructionFormat.multiinstruct())) {
            BY_NAME.put(f.name(), f);
        }
        BY_NAME.put("lvis", BY_NAME.get("coco"));
        BY_NAME.put("okvqa", BY_NAME.get("vqa"));
        BY_NAME.put("aokvqa", BY_NAME.get("vqa"));
        BY_NAME.put("llama-factory", BY_NAME.get("sharegpt"));
    }

    private Formats() {
    }

    public static Optional<AnnotationFormat> byName(String name) {
        return Optional.ofNullable(name == null ? null : BY_NAME.get(name.strip().toLowerCase(java.util.Locale.ROOT)));
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
