package io.vlitforge.shared.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * The key a caller presented ({@code Authorization: Bearer KEY} or {@code X-Api-Key: KEY}), handed from
 * {@link ApiKeyAuthenticationMechanism} to {@link ApiKeyIdentityProvider}. Its {@link #toString()} hides the key
 * so that a logged request never shows it.
 */
public final class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {

    private final String key;

    public ApiKeyAuthenticationRequest(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    @Override
    public String toString() {
        return "ApiKeyAuthenticationRequest[key=***]";
    }
}
