package io.vlitforge.shared.ids;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic identifiers. Regenerating the same thing yields the same id, which is what makes
 * every consumer idempotent: an upsert keyed by these ids turns a redelivery into a no-op.
 */
public final class Ids {

    private static final HexFormat HEX = HexFormat.of();
    private static final int SAMPLE_ID_HEX_CHARS = 32;

    private Ids() {
    }

    /** The image id: sha256 of the image bytes, lower-case hex. */
    public static String imageId(byte[] imageBytes) {
        return HEX.formatHex(sha256().digest(imageBytes));
    }

    /**
     * The sample id: a hash of everything that decides a sample's content. Fields are length-prefixed
     * so that ("ab", "c") and ("a", "bc") never collide.
     */
    public static String sampleId(String imageId, String recipeId, String recipeVersion, String task,
            String templateId, long seed) {
        return HEX.formatHex(hashFields(imageId, recipeId, recipeVersion, task, templateId, Long.toString(seed)))
                .substring(0, SAMPLE_ID_HEX_CHARS);
    }

    /** sha256 of UTF-8 text, lower-case hex. */
    public static String sha256Hex(String text) {
        return HEX.formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** sha256 of bytes, lower-case hex. */
    public static String sha256Hex(byte[] bytes) {
        return HEX.formatHex(sha256().digest(bytes));
    }

    /** A stable 63-bit seed derived from text, for choices that must not change between runs. */
    public static long seedOf(String... fields) {
        byte[] hash = hashFields(fields);
        long seed = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            seed = (seed << 8) | (hash[i] & 0xff);
        }
        return seed & Long.MAX_VALUE;
    }

    private static byte[] hashFields(String... fields) {
        MessageDigest digest = sha256();
        for (String field : fields) {
            byte[] bytes = (field == null ? "" : field).getBytes(StandardCharsets.UTF_8);
            digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            digest.update((byte) ':');
            digest.update(bytes);
        }
        return digest.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
