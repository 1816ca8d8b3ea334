package io.vlitforge.ingestion.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.vlitforge.shared.testing.ApiSecurityContract;
import java.util.Map;

/**
 * The ingestion service keeps the shared API security contract: 401 without or with a wrong key, 403 without the
 * role, health and metrics open, 413 for an oversized body, no key in the log.
 */
@QuarkusTest
class ApiSecurityTest extends ApiSecurityContract {

    @Override
    protected Map<String, String> guardedPosts() {
        return Map.of("/imports", "ingest", "/imports/coco", "ingest", "/demo-scenes", "ingest");
    }
}
