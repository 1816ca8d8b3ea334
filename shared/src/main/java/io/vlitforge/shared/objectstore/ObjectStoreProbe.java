package io.vlitforge.shared.objectstore;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * Whether the object store answers, for readiness checks: a bucket-exists request on a client of its own with
 * short timeouts (a Kubernetes probe gives up after a few seconds; the services' own clients wait minutes
 * for large transfers). Not a bean: each service that uses the store wraps it in its readiness check.
 */
public final class ObjectStoreProbe {

    /** The outcome of one probe; {@code error} is null when the store answered. */
    public record Result(boolean reachable, boolean bucketExists, String error) {
    }

    private final MinioClient client;
    private final String bucket;

    public ObjectStoreProbe(String endpoint, String accessKey, String secretKey, String bucket) {
        OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2)).writeTimeout(Duration.ofSeconds(2)).build();
        this.client = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey).httpClient(http)
                .build();
        this.bucket = bucket;
    }

    public Result probe() {
        try {
            boolean exists = client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
            return new Result(true, exists, null);
        } catch (Exception e) {
            return new Result(false, false, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
