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

    /**
     * Reads {@code paths} and hands every image and every problem to {@code sink} as it goes. Readers of
     * formats whose files can be large (COCO, Visual Genome, VQA, GQA) override this to stream with
     * bounded memory, and {@link #read} then collects what they stream; the others read as a whole and
     * hand the result over here.
     */
    default void stream(List<Path> paths, ItemSink sink) throws IOException {
        ReadResult result = read(paths);
        result.problems.forEach(p -> sink.problem(p.item(), p.reason(), p.detail()));
        result.items.forEach(sink::item);
    }
}
