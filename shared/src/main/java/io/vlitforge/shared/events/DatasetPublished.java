package io.vlitforge.shared.events;

import java.util.Map;

/**
 * Emitted on {@code datasets.published} when a release's files are all in the object store.
 * {@code files} maps each file's path inside the release to its sha256.
 */
public record DatasetPublished(
        int schemaVersion,
        String name,
        String version,
        String bucket,
        String prefix,
        long samples,
        long images,
        Map<String, Long> samplesByTask,
        Map<String, String> files,
        String publishedAt) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 1;
}
