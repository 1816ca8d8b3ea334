package io.vlitforge.shared.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the real test data in {@code ../shared/fixtures} next to the repository (never copied into it).
 * {@code VLIT_FIXTURES} overrides the location.
 */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path root() {
        String override = System.getenv("VLIT_FIXTURES");
        if (override != null && !override.isBlank()) {
            return Paths.get(override).toAbsolutePath();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("services"))) {
                Path fixtures = dir.getParent().resolve("shared").resolve("fixtures");
                if (Files.isDirectory(fixtures)) {
                    return fixtures;
                }
                throw new IllegalStateException("no fixtures at " + fixtures + " (set VLIT_FIXTURES)");
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + Paths.get("").toAbsolutePath());
    }

    /** {@code coco2017-mini}: 80 real COCO train2017 images with official captions and instances files. */
    public static Path cocoMini() {
        return root().resolve("coco2017-mini");
    }

    /** The repository root (where mvnw is). */
    public static Path repositoryRoot() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("services"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root");
    }
}
