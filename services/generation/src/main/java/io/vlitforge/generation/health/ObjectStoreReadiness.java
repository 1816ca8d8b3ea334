package io.vlitforge.generation.health;

import io.vlitforge.generation.config.GenerationConfig;
import io.vlitforge.shared.objectstore.ObjectStoreProbe;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * When the describe step (MiniGPT-4 stage 2) runs, it shows the model images read from the object store,
 * so that deployment is ready only when the store answers; the other steps never touch it and do not depend on it.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreReadiness implements HealthCheck {

    private final ObjectStoreProbe probe;
    private final String bucket;
    private final boolean needed;

    public ObjectStoreReadiness(GenerationConfig config, Config all) {
        GenerationConfig.ObjectStore store = config.objectStore();
        this.probe = new ObjectStoreProbe(store.endpoint(), store.accessKey(), store.secretKey(), store.bucket());
        this.bucket = store.bucket();
        this.needed = all.getOptionalValue("mp.messaging.incoming.si-describe.enabled", Boolean.class)
                .orElse(false);
    }

    @Override
    public HealthCheckResponse call() {
        if (!needed) {
            return HealthCheckResponse.named("object-store").up().withData("used", false).build();
        }
        ObjectStoreProbe.Result r = probe.probe();
        return HealthCheckResponse.named("object-store").status(r.reachable()).withData("bucket", bucket)
                .withData("bucketExists", r.bucketExists()).withData("error", r.error() == null ? "" : r.error())
                .build();
    }
}
