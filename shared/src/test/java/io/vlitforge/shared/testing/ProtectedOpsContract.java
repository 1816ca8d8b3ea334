package io.vlitforge.shared.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code vlit.auth.protect-ops=true} health and metrics need a key too (any valid one, whatever its
 * roles), while the APIs keep their roles. A service runs it as a {@code @QuarkusTest} subclass annotated
 * {@code @TestProfile(ProtectedOpsContract.Profile.class)}.
 */
public abstract class ProtectedOpsContract {

    /** Turns the protection of health and metrics on. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vlit.auth.protect-ops", "true");
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private static int status(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + path))
                .timeout(Duration.ofMinutes(2));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void healthAndMetricsNeedAValidKeyWhenProtected() throws Exception {
        assertEquals(401, status("/q/health/live"));
        assertEquals(401, status("/q/metrics"));
        assertEquals(401, status("/q/metrics", "X-Api-Key", "not-a-configured-key-at-all"));
        assertEquals(200, status("/q/health/live", "X-Api-Key", TestApiKeys.INGEST), "any valid key");
        assertEquals(200, status("/q/metrics", "Authorization", "Bearer " + TestApiKeys.READ));
        assertEquals(403, status("/stats", "X-Api-Key", TestApiKeys.INGEST), "the APIs keep their roles");
        assertEquals(200, status("/stats", "X-Api-Key", TestApiKeys.READ));
    }
}
