package io.vlitforge.publication.objectstore;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import io.vlitforge.publication.config.PublicationConfig;
import io.vlitforge.shared.objectstore.MinioClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.TimeUnit;

/**
 * Writes release files to the object store and reads them (and source images) back. Blocking (the MinIO
 * SDK is): worker threads only.
 */
@ApplicationScoped
public class ReleaseStore {

    private final MinioClient client;
    private final String bucket;
    private final int presignHours;
    private volatile boolean bucketChecked;

    public ReleaseStore(PublicationConfig config) {
        PublicationConfig.ObjectStore store = config.objectStore();
        this.client = MinioClients.create(store.endpoint(), store.accessKey(), store.secretKey());
        this.bucket = store.bucket();
        this.presignHours = config.publication().presignHours();
    }

    public String bucket() {
        return bucket;
    }

    public void put(String key, byte[] bytes, String contentType) {
        try {
            ensureBucket();
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType(contentType).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + key + ": " + e.getMessage(), e);
        }
    }

    /** Server-side copy: image bytes never pass through this service. */
    public void copy(String sourceKey, String targetKey) {
        try {
            ensureBucket();
            client.copyObject(CopyObjectArgs.builder().bucket(bucket).object(targetKey)
                    .source(CopySource.builder().bucket(bucket).object(sourceKey).build()).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot copy " + sourceKey + " to " + targetKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * Streams an object; the caller closes it.
     *
     * @throws NoSuchFileException when there is no such object, so that callers can tell "missing" from "broken"
     */
    public InputStream open(String key) throws IOException {
        try {
            return client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build());
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                throw new NoSuchFileException(key);
            }
            throw new IOException("cannot read " + key + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    /** Whether the object is there (a store that cannot be asked is an error, not a "no"). */
    public boolean exists(String key) {
        try {
            return MinioClients.exists(client, bucket, key);
        } catch (Exception e) {
            throw new IllegalStateException("cannot check " + key + ": " + e.getMessage(), e);
        }
    }

    /** An object's bytes, for the formats that embed images. */
    public byte[] read(String key) {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    public String downloadUrl(String key) {
        try {
            return client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET).bucket(bucket)
                    .object(key).expiry(presignHours, TimeUnit.HOURS).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a link to " + key + ": " + e.getMessage(), e);
        }
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
}
