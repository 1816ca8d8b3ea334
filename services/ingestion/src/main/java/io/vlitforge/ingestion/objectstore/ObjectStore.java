package io.vlitforge.ingestion.objectstore;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.vlitforge.ingestion.config.IngestionConfig;
import io.vlitforge.shared.objectstore.MinioClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;

/**
 * The image bucket. Blocking (the MinIO SDK is): call it from worker threads only. Writes are
 * put-once: an object named by its sha256 that exists already is never written again.
 */
@ApplicationScoped
public class ObjectStore {

    private final MinioClient client;
    private final String bucket;
    private volatile boolean bucketChecked;

    public ObjectStore(IngestionConfig config) {
        IngestionConfig.ObjectStore store = config.objectStore();
        this.client = MinioClients.create(store.endpoint(), store.accessKey(), store.secretKey());
        this.bucket = store.bucket();
    }

    public String bucket() {
        return bucket;
    }

    /** Writes the object unless it is there already; returns true when it wrote. */
    public boolean putIfAbsent(String key, byte[] bytes, String contentType) {
        try {
            ensureBucket();
            if (exists(key)) {
                return false;
            }
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1)
                    .contentType(contentType).build());
            return true;
        } catch (Exception e) {
            throw new ObjectStoreException("cannot store " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    /** Whether the object is there; a store that cannot be asked is an error, not a "no". */
    public boolean has(String key) {
        try {
            ensureBucket();
            return exists(key);
        } catch (Exception e) {
            throw new ObjectStoreException("cannot check " + key + " in bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    public boolean exists(String key) throws Exception {
        return MinioClients.exists(client, bucket, key);
    }

    private void ensureBucket() throws Exception {
        if (bucketChecked) {
            return;
        }
        synchronized (this) {
            if (!bucketChecked) {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                }
                bucketChecked = true;
            }
        }
    }

    /** The object store refused or could not be reached. */
    public static class ObjectStoreException extends RuntimeException {
        public ObjectStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
