package io.vlitforge.publication.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.Optional;

/** Everything the publication service reads from configuration, in one place. */
@ConfigMapping(prefix = "vlit")
public interface PublicationConfig {

    @WithName("object-store")
    ObjectStore objectStore();

    /** Prepended to topic and group names (used in the channel configuration). */
    Optional<String> topicPrefix();

    Publication publication();

    interface ObjectStore {
        String endpoint();

        String accessKey();

        String secretKey();

        String bucket();
    }

    interface Publication {
        /** The s3proxy filesystem root, when the object store is one; lets answers name the local folder. */
        Optional<String> localStoreRoot();

        /** How long the download links in release answers stay valid. */
        int presignHours();

        /**
         * The most bytes a WebDataset shard may have; loaders spread shards over workers, so many bounded
         * shards beat one large tar. Also the most memory one shard takes while it is built.
         */
        long shardMaxBytes();
    }
}
