package io.vlitforge.shared.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private static final String ADMIN = "admin-secret-0123456789";
    private static final String READER = "reader-secret-0123456789";

    @Test
    void parsesKeysWithTheirRolesAndMatchesOnlyTheExactKey() {
        ApiKeys keys = ApiKeys.parse(Optional.of(" " + ADMIN + ":ingest+operate+read , " + READER + ":read "));
        assertEquals(2, keys.size());
        assertEquals(Set.of("ingest", "operate", "read"), keys.match(ADMIN).orElseThrow().roles());
        assertEquals("api-key-1", keys.match(ADMIN).orElseThrow().name());
        assertEquals(Set.of("read"), keys.match(READER).orElseThrow().roles());
        assertTrue(keys.match(READER + "x").isEmpty());
        assertTrue(keys.match(READER.substring(1)).isEmpty());
        assertTrue(keys.match("").isEmpty());
        assertTrue(keys.match(null).isEmpty());
    }

    @Test
    void noConfigMeansNoKeys() {
        assertEquals(0, ApiKeys.parse(Optional.empty()).size());
        assertEquals(0, ApiKeys.parse(Optional.of("  ")).size());
        assertTrue(ApiKeys.parse(Optional.empty()).match(ADMIN).isEmpty());
    }

    @Test
    void malformedEntriesAreRefusedWithoutRepeatingTheKey() {
        for (String spec : new String[] {ADMIN, ADMIN + ":", ADMIN + ":admin", ADMIN + ":read+root", "short:read"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ApiKeys.parse(Optional.of(spec)));
            assertFalse(e.getMessage().contains(ADMIN), e.getMessage());
            assertTrue(e.getMessage().contains("entry 1"), e.getMessage());
        }
    }

    @Test
    void toStringNeverShowsAKey() {
        ApiKeys keys = ApiKeys.parse(Optional.of(ADMIN + ":read+operate," + READER + ":read"));
        assertFalse(keys.toString().contains(ADMIN));
        assertFalse(keys.toString().contains(READER));
        assertFalse(keys.match(ADMIN).orElseThrow().toString().contains(ADMIN));
        assertFalse(new ApiKeyAuthenticationRequest(ADMIN).toString().contains(ADMIN));
    }
}
