package io.vlitforge.generation.service;

import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MinioClient;
import io.minio.http.Method;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vlitforge.generation.config.GenerationConfig;
import io.vlitforge.shared.objectstore.MinioClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.InputStream;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Gives a vision model the image: inline as a {@code data:} URL read from the object store, or as a
 * presigned GET URL the model server fetches itself (for endpoints that take URLs and images too large
 * to inline). The MinIO SDK blocks, so the read runs on a worker thread.
 */
@ApplicationScoped
public class ImageReader {

    private final MinioClient client;
    private final String bucket;
    private final boolean inline;

    public ImageReader(GenerationConfig config) {
        GenerationConfig.ObjectStore store = config.objectStore();
        this.client = MinioClients.create(store.endpoint(), store.accessKey(), store.secretKey());
        this.bucket = store.bucket();
        this.inline = store.inlineImages();
    }

    public Uni<String> imageUrl(String imageKey, String format) {
        return Uni.createFrom().item(() -> inline ? dataUrl(imageKey, format) : presigned(imageKey))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private String dataUrl(String key, String format) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return "data:" + mediaType(format) + ";base64," + Base64.getEncoder().encodeToString(in.readAllBytes());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + key + " from bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    private String presigned(String key) {
        try {
            return client.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET).bucket(bucket)
                    .object(key).expiry(1, TimeUnit.HOURS).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot presign " + key + ": " + e.getMessage(), e);
        }
    }

    static String mediaType(String format) {
        String f = format == null ? "" : format.toLowerCase(Locale.ROOT);
        return switch (f) {
            case "jpg", "jpeg" -> "image/jpeg";
            case "png" -> "image/png";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            default -> "application/octet-stream";
        };
    }
}
