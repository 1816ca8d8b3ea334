package io.vlitforge.publication.formats;

/**
 * Where a format writer puts its files. Writers hand over one file at a time, so a release with many
 * large shards never holds more than one of them in memory; the caller decides whether a file goes to the
 * object store (the service) or into a map (the unit tests).
 */
@FunctionalInterface
public interface FileSink {

    /** {@code path} is relative to the release folder, e.g. {@code shards/shard-000000.tar}. */
    void put(String path, byte[] bytes, String contentType);
}
