package io.vlitforge.shared.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Turns a presented API key into an identity: the principal is the key's position in
 * {@code vlit.auth.keys} ({@code api-key-N}, safe to log) and its roles are the key's roles. An unknown key
 * fails with a message that does not repeat it.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    private final AuthSettings settings;

    public ApiKeyIdentityProvider(AuthSettings settings) {
        this.settings = settings;
    }

    @Override
    public Class<ApiKeyAuthenticationRequest> getRequestType() {
        return ApiKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationRequest request, AuthenticationRequestContext context) {
        Optional<ApiKeys.Entry> entry = settings.keys().match(request.key());
        if (entry.isEmpty()) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown API key"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(entry.get().name()))
                .addRoles(entry.get().roles())
                .build());
    }
}
