package io.vlitforge.ingestion.health;

import io.vlitforge.ingestion.config.IngestionConfig;
import io.vlitforge.shared.objectstore.ObjectStoreProbe;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the object store answers: an import stores every image there, so without it the service
 * would take requests it cannot finish. (Kafka and the database have Quarkus's own readiness checks.)
 */
@Readiness
@ApplicationScoped
public class ObjectStoreReadiness implements HealthCheck {

    private final ObjectStoreProbe probe;
    private final String bucket;

    public ObjectStoreReadiness(IngestionConfig config) {
        IngestionConfig.ObjectStore store = config.objectStore();
        this.probe = new ObjectStoreProbe(store.endpoint(), store.accessKey(), store.secretKey(), store.bucket());
        this.bucket = store.bucket();
    }

    @Override
    public HealthCheckResponse call() {
        ObjectStoreProbe.Result r = probe.probe();
        return HealthCheckResponse.named("object-store").status(r.reachable()).withData("bucket", bucket)
                .withData("bucketExists", r.bucketExists()).withData("error", r.error() == null ? "" : r.error())
                .build();
    }
}
