package io.vlitforge.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Optional;

/** Everything the ingestion service reads from configuration, in one place. */
@ConfigMapping(prefix = "vlit")
public interface IngestionConfig {

    @WithName("object-store")
    ObjectStore objectStore();

    /** Prepended to topic and group names (used in the channel configuration). */
    Optional<String> topicPrefix();

    Ingest ingest();

    interface ObjectStore {
        String endpoint();

        String accessKey();

        String secretKey();

        String bucket();
    }

    interface Ingest {
        /** Larger files are refused before they are read, so one huge file cannot exhaust the heap. */
        long maxImageBytes();

        /** Decode every pixel instead of checking header and end marker (slower, catches inner damage). */
        boolean fullDecode();

        /** Sources given as s3:// locations are copied to local disk first; no more than this per source. */
        @WithDefault("21474836480")
        long s3SourceMaxBytes();

        /** Threads that read, check and store image files in parallel during an import. */
        int workers();

        /** Images announced and recorded together: one transaction and one wait for the broker each. */
        int batchSize();

        /**
         * Largest width x height accepted, read from the header before any pixel is decoded: a small file
         * claiming 100000x100000 pixels (a decompression bomb) is refused with {@code image.too_many_pixels}.
         */
        @io.smallrye.config.WithDefault("100000000")
        long maxPixels();

        /**
         * A box reaching outside its image is clipped to it (and the change recorded as
         * {@code box.clipped}); when false such a box is refused ({@code box.outside_image}).
         */
        @io.smallrye.config.WithDefault("true")
        boolean clipBoxes();

        /** Images named by http(s) URL in caption-pair sources. */
        Url url();
    }

    /** How URL sources are fetched ({@code UrlFetcher}); off unless enabled. */
    interface Url {
        @io.smallrye.config.WithDefault("false")
        boolean enabled();

        /** Allow loopback, private, link-local and metadata addresses (never on a shared deployment). */
        @io.smallrye.config.WithDefault("false")
        boolean allowPrivate();

        @io.smallrye.config.WithDefault("20S")
        java.time.Duration timeout();

        @io.smallrye.config.WithDefault("2")
        int retries();

        /** Fetches running at once, across all workers. */
        @io.smallrye.config.WithDefault("4")
        int concurrency();
    }
}
