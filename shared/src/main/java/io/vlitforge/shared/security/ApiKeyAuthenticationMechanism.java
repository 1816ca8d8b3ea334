package io.vlitforge.shared.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads the caller's API key from {@code Authorization: Bearer KEY} or {@code X-Api-Key: KEY} and has
 * {@link ApiKeyIdentityProvider} turn it into an identity with the key's roles. A request without a key stays
 * anonymous (the path policies in each service's {@code application.properties} then answer 401 where a role
 * is needed); a wrong key fails authentication (401). This jar is a bean archive, so every service picks the
 * mechanism up. The key is never logged.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    /** The header that carries a bare key, for callers that cannot set {@code Authorization}. */
    public static final String API_KEY_HEADER = "X-Api-Key";

    private static final String BEARER = "bearer ";
    private static final ChallengeData CHALLENGE = new ChallengeData(401, "WWW-Authenticate",
            "Bearer realm=\"vlit\"");

    private final AuthSettings settings;

    public ApiKeyAuthenticationMechanism(AuthSettings settings) {
        this.settings = settings;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!settings.enabled()) {
            return Uni.createFrom().item(settings.everyRole());
        }
        String key = presentedKey(context);
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return identityProviderManager.authenticate(
                HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyAuthenticationRequest(key), context));
    }

    /** The key from {@code X-Api-Key}, else from a bearer {@code Authorization} header; null when neither. */
    static String presentedKey(RoutingContext context) {
        String key = context.request().getHeader(API_KEY_HEADER);
        if (key != null && !key.isBlank()) {
            return key.strip();
        }
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String bearer = authorization.substring(BEARER.length()).strip();
            return bearer.isEmpty() ? null : bearer;
        }
        return null;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
