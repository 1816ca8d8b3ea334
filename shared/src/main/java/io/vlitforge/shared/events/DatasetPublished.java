package io.vlitforge.shared.events;

import java.util.Map;

/**
 * Emitted on {@code datasets.published} when a release's files are all in the object store.
 * {@code files} maps each file's path inside the release to its sha256, except the images copied into it:
 * a release of thousands of images would make the event larger than the broker takes (1 MiB), and the
 * release's {@code manifest.json}, whose sha256 is {@code manifestSha256}, lists every file. Version 1 events
 * listed the images too and had no manifest hash.
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
        String manifestSha256,
        String publishedAt) implements VersionedEvent {

    public static final int SCHEMA_VERSION = 2;

    /** The folder of a release that holds its copied images; those files are left out of {@link #files}. */
    public static final String IMAGES_FOLDER = "images/";
}
