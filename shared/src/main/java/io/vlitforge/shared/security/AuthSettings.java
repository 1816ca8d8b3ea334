package io.vlitforge.shared.security;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The API authentication settings every service shares ({@link AuthConfig}): {@code vlit.auth.enabled} (default true),
 * {@code vlit.auth.keys} (from {@code VLIT_API_KEYS}, {@code key:role+role,...}) and
 * {@code vlit.auth.protect-ops} (default false: health and metrics stay open for Kubernetes probes and
 * Prometheus). The keys are parsed once at startup, so a malformed entry stops the service with a message that
 * names the entry's position and never the key; only the number of keys is logged.
 */
@Singleton
public class AuthSettings {

    private static final Logger LOG = Logger.getLogger(AuthSettings.class);

    private final boolean enabled;
    private final boolean protectOps;
    private final ApiKeys keys;

    public AuthSettings(AuthConfig config) {
        this.enabled = config.enabled();
        this.protectOps = config.protectOps();
        this.keys = ApiKeys.parse(config.keys());
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            LOG.warn("API authentication is OFF (vlit.auth.enabled=false): every caller gets every role");
        } else if (keys.size() == 0) {
            LOG.warn("API authentication is on but no API key is configured (VLIT_API_KEYS): every API call is"
                    + " refused with 401");
        } else {
            LOG.infof("API authentication on: %d key(s) configured; health and metrics %s", keys.size(),
                    protectOps ? "need a key" : "are open");
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public boolean protectOps() {
        return protectOps;
    }

    public ApiKeys keys() {
        return keys;
    }

    /** The identity every request gets while authentication is switched off: all roles. */
    SecurityIdentity everyRole() {
        return QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal("auth-disabled"))
                .addRoles(ApiKeys.ROLES).build();
    }
}
