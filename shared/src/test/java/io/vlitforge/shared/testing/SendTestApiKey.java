package io.vlitforge.shared.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;

/**
 * Makes every {@code @QuarkusTest}'s RestAssured calls carry the test admin key ({@link TestApiKeys#ADMIN}), so
 * the services' tests exercise their APIs with authentication on, as in production. Quarkus finds it through
 * {@code META-INF/services} in this test-jar: a service module only has to depend on the test-jar. Tests that
 * check refusals call without RestAssured ({@code ApiSecurityContract}).
 */
public class SendTestApiKey implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("X-Api-Key", TestApiKeys.ADMIN).build();
    }
}
