package io.vlitforge.shared.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Makes every {@code @QuarkusTest}'s RestAssured calls carry the test admin key ({@link TestApiKeys#ADMIN})
 * unless the call sets its own key, so the services' tests exercise their APIs with authentication on, as in
 * production. Quarkus finds it through {@code META-INF/services} in this test-jar: a service module only has
 * to depend on the test-jar. It is a RestAssured filter (not a default request specification, which would
 * freeze the port before Quarkus sets it). Tests that check refusals call without RestAssured
 * ({@link ApiSecurityContract}).
 */
public class SendTestApiKey implements QuarkusTestBeforeEachCallback {

    /** Adds the admin key to a request that carries no key. */
    static final class AdminKeyFilter implements Filter {
        @Override
        public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response,
                FilterContext context) {
            if (!request.getHeaders().hasHeaderWithName("X-Api-Key")
                    && !request.getHeaders().hasHeaderWithName("Authorization")) {
                request.header("X-Api-Key", TestApiKeys.ADMIN);
            }
            return context.next(request, response);
        }
    }

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (RestAssured.filters().stream().noneMatch(f -> f instanceof AdminKeyFilter)) {
            RestAssured.filters(new AdminKeyFilter());
        }
    }
}
