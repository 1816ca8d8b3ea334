package io.vlitforge.shared.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityPolicy;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The policy named {@value #NAME} that guards health and metrics: open while {@code vlit.auth.protect-ops} is
 * false (Kubernetes probes and Prometheus scrape them without a key), otherwise any valid API key, whatever its
 * roles. Each service's {@code application.properties} points its {@code /q/health} and {@code /q/metrics}
 * permission at it.
 */
@ApplicationScoped
public class OpsEndpointsPolicy implements HttpSecurityPolicy {

    public static final String NAME = "vlit-ops";

    private final AuthSettings settings;

    public OpsEndpointsPolicy(AuthSettings settings) {
        this.settings = settings;
    }

    @Override
    public Uni<CheckResult> checkPermission(RoutingContext request, Uni<SecurityIdentity> identity,
            AuthorizationRequestContext requestContext) {
        if (!settings.protectOps()) {
            return CheckResult.permit();
        }
        return identity.map(id -> id == null || id.isAnonymous() ? CheckResult.DENY : CheckResult.PERMIT);
    }

    @Override
    public String name() {
        return NAME;
    }
}
