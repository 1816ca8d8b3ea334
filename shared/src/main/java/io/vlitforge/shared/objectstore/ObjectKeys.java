package io.vlitforge.shared.objectstore;

import java.util.Locale;

/**
 * The object store layout every service agrees on. Images live under their sha256, fanned out by the
 * first two byte pairs so that no prefix grows without bound.
 */
public final class ObjectKeys {

    private ObjectKeys() {
    }

    /** {@code images/<aa>/<bb>/<sha256>.<ext>} */
    public static String image(String imageId, String format) {
        if (imageId == null || imageId.length() < 4) {
            throw new IllegalArgumentException("image id must be a sha256 hex string, got: " + imageId);
        }
        return "images/" + imageId.substring(0, 2) + "/" + imageId.substring(2, 4) + "/" + imageId + "."
                + format.toLowerCase(Locale.ROOT);
    }

    /** {@code releases/<name>/<version>/} */
    public static String releasePrefix(String name, String version) {
        return "releases/" + name + "/" + version + "/";
    }
}
