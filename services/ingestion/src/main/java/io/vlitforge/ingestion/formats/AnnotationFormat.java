package io.vlitforge.ingestion.formats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A reader of one annotation format into {@link SourceItem}s. Every format goes through the same ingest
 * path afterwards, so a reader only parses: it checks the shape of what it reads and reports every
 * unusable entry as a {@link ReadResult.Problem}; it never touches image bytes on disk.
 */
public interface AnnotationFormat {

    /** The name used by REST, the CLI and ingest requests ({@code coco}, {@code vg}, ...). */
    String name();

    /**
     * Reads the annotation files or folders {@code paths}; the source is unusable as a whole
     * ({@link SourceFormatException}) only if nothing of it can be read.
     */
    ReadResult read(List<Path> paths) throws IOException;
}
