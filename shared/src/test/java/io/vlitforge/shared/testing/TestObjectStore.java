package io.vlitforge.shared.testing;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.objectstore.MinioClients;
import io.vlitforge.shared.objectstore.ObjectKeys;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The object store of the service under test (its {@code vlit.object-store.*} settings), for tests that put
 * real images where the service will read them: the bucket is created when missing, images are stored under
 * the key ingestion would give them.
 */
public final class TestObjectStore {

    /** An image as ingestion would have stored it. */
    public record StoredImage(String imageId, String key, byte[] bytes) {
    }

    private final MinioClient client;
    private final String bucket;

    private TestObjectStore(MinioClient client, String bucket) {
        this.client = client;
        this.bucket = bucket;
    }

    /** The store the running {@code @QuarkusTest} application is configured with; its bucket exists. */
    public static TestObjectStore ofService() throws Exception {
        Config config = ConfigProvider.getConfig();
        TestObjectStore store = new TestObjectStore(MinioClients.create(
                config.getValue("vlit.object-store.endpoint", String.class),
                config.getValue("vlit.object-store.access-key", String.class),
                config.getValue("vlit.object-store.secret-key", String.class)),
                config.getValue("vlit.object-store.bucket", String.class));
        if (!store.client.bucketExists(BucketExistsArgs.builder().bucket(store.bucket).build())) {
            store.client.makeBucket(MakeBucketArgs.builder().bucket(store.bucket).build());
        }
        return store;
    }

    public MinioClient client() {
        return client;
    }

    public String bucket() {
        return bucket;
    }

    /** Stores a JPEG file (a fixture picture) under its content-addressed key. */
    public StoredImage putJpeg(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        String imageId = Ids.imageId(bytes);
        String key = ObjectKeys.image(imageId, "jpeg");
        client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build());
        return new StoredImage(imageId, key, bytes);
    }

    public byte[] read(String key) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }
}
