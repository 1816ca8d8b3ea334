package io.vlitforge.generation.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vlitforge.shared.testing.ProtectedOpsContract;

/** The generation service with {@code vlit.auth.protect-ops=true}: health and metrics need a key too. */
@QuarkusTest
@TestProfile(ProtectedOpsContract.Profile.class)
class ProtectedOpsTest extends ProtectedOpsContract {
}
