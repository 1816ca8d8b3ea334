package io.vlitforge.ingestion.objectstore;

import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import io.vlitforge.ingestion.config.IngestionConfig;
import io.vlitforge.shared.objectstore.MinioClients;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sources registered by S3 location ({@code s3://bucket/key} for one file, {@code s3://bucket/prefix/} for
 * everything under a prefix) on the object store this service uses: they are copied into a private temporary
 * folder, keeping their relative layout, and then read like local files by the same readers. Object keys
 * never escape that folder ({@code ..} and absolute keys are refused), and a source larger than the limit is
 * refused before it fills the disk. Local paths pass through unchanged.
 */
@ApplicationScoped
public class S3Sources {

    /** Local paths for a source, and the temporary folder to delete once the import is done (null: none). */
    public record Local(List<Path> paths, Path imagesDir, Path temporary) implements AutoCloseable {
        @Override
        public void close() {
            if (temporary == null) {
                return;
            }
            try (Stream<Path> files = Files.walk(temporary)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final MinioClient client;
    private final long maxBytes;

    public S3Sources(IngestionConfig config) {
        IngestionConfig.ObjectStore store = config.objectStore();
        this.client = MinioClients.create(store.endpoint(), store.accessKey(), store.secretKey());
        this.maxBytes = config.ingest().s3SourceMaxBytes();
    }

    public static boolean isS3(String location) {
        return location != null && location.startsWith("s3://");
    }

    /** The source as local paths; {@code s3://} locations are downloaded first. */
    public Local resolve(List<String> paths, String imagesDir) {
        boolean remote = paths.stream().anyMatch(S3Sources::isS3) || isS3(imagesDir);
        if (!remote) {
            return new Local(paths.stream().map(Paths::get).toList(), imagesDir == null ? null : Paths.get(imagesDir),
                    null);
        }
        Path temporary;
        try {
            temporary = Files.createTempDirectory("vlit-s3-source-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Local local = null;
        try {
            long[] budget = {maxBytes};
            List<Path> resolved = new ArrayList<>();
            int n = 0;
            for (String p : paths) {
                resolved.add(isS3(p) ? download(p, temporary.resolve("source-" + n++), budget) : Paths.get(p));
            }
            Path images = imagesDir == null ? null
                    : isS3(imagesDir) ? download(imagesDir, temporary.resolve("images"), budget) : Paths.get(imagesDir);
            local = new Local(resolved, images, temporary);
            return local;
        } finally {
            if (local == null) {
                new Local(List.of(), null, temporary).close();
            }
        }
    }

    /** One object (to {@code target}/its file name) or every object under a prefix (to {@code target}/...). */
    private Path download(String location, Path target, long[] budget) {
        String rest = location.substring("s3://".length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("an S3 source is s3://bucket/key or s3://bucket/prefix/: " + location);
        }
        String bucket = rest.substring(0, slash);
        String key = rest.substring(slash + 1);
        try {
            Files.createDirectories(target);
            List<Item> objects = new ArrayList<>();
            String prefix = key.isEmpty() || key.endsWith("/") ? key : key + "/";
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(bucket).prefix(prefix)
                    .recursive(true).build())) {
                Item item = r.get();
                if (!item.isDir()) {
                    objects.add(item);
                }
            }
            if (objects.isEmpty() && !key.endsWith("/")) {
                // Not a prefix: one object.
                Path file = target.resolve(Paths.get(key).getFileName().toString());
                copy(bucket, key, file, budget);
                return file;
            }
            if (objects.isEmpty()) {
                throw new IllegalArgumentException("nothing under " + location);
            }
            for (Item item : objects) {
                String relative = item.objectName().substring(prefix.length());
                Path file = target.resolve(relative).normalize();
                if (!file.startsWith(target) || relative.startsWith("/")) {
                    throw new IllegalArgumentException("object " + item.objectName() + " would leave the source folder");
                }
                if (budget[0] - item.size() < 0) {
                    throw new IllegalArgumentException(location + " holds more than the limit of " + maxBytes
                            + " bytes (vlit.ingest.s3-source-max-bytes)");
                }
                Files.createDirectories(file.getParent());
                copy(bucket, item.objectName(), file, budget);
            }
            return target;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read " + location + ": " + e.getMessage(), e);
        }
    }

    private void copy(String bucket, String key, Path file, long[] budget) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            long bytes = Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            budget[0] -= bytes;
            if (budget[0] < 0) {
                throw new IllegalArgumentException("s3://" + bucket + "/" + key + " goes over the limit of " + maxBytes
                        + " bytes for one source (vlit.ingest.s3-source-max-bytes)");
            }
        }
    }
}
