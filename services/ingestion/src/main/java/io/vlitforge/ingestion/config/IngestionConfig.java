package io.vlitforge.ingestion.config;

import io.smallrye.config.ConfigMapping;
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
    }
}
