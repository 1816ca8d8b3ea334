package io.vlitforge.shared.testing;

/**
 * The API keys every service accepts in its {@code %test} profile ({@code %test.vlit.auth.keys} in each
 * service's {@code application.properties} lists exactly these), so tests can call the secured APIs: one key
 * per role and an admin key with all three. {@link SendTestApiKey} makes RestAssured send {@link #ADMIN}.
 */
public final class TestApiKeys {

    public static final String ADMIN = "vlit-test-admin-key-0000000001";
    public static final String READ = "vlit-test-read-key-00000000002";
    public static final String INGEST = "vlit-test-ingest-key-000000003";
    public static final String OPERATE = "vlit-test-operate-key-00000004";

    /** The value of {@code %test.vlit.auth.keys}. */
    public static final String CONFIG = ADMIN + ":ingest+operate+read," + READ + ":read," + INGEST + ":ingest,"
            + OPERATE + ":operate";

    private TestApiKeys() {
    }
}
