package io.vlitforge.shared.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * {@code vlit.auth.*}, the API authentication settings every service shares. A mapping of its own (not a
 * group of each service's {@code vlit} mapping), so the services' mappings accept these keys without
 * declaring them; a test that builds a service's configuration by hand registers it too.
 */
@ConfigMapping(prefix = "vlit.auth")
public interface AuthConfig {

    /** Off: every caller gets every role (a warning at startup says so). */
    @WithDefault("true")
    boolean enabled();

    /** {@code key:role+role,key2:role} from {@code VLIT_API_KEYS}; absent: every API call is refused. */
    Optional<String> keys();

    /** Whether health and metrics need a key too (any valid one); open by default for probes and scrapers. */
    @WithDefault("false")
    boolean protectOps();
}
