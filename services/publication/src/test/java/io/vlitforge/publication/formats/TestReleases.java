package io.vlitforge.publication.formats;

import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Samples, images and an in-memory file sink for the pure unit tests of the release writers. */
public final class TestReleases {

    private TestReleases() {
    }

    /** Deterministic image bytes of the given size; their sha256 is the image id, as in the object store. */
    public static byte[] image(int seed, int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return bytes;
    }

    public static String imageKey(byte[] image) {
        String id = Ids.imageId(image);
        return "images/" + id.substring(0, 2) + "/" + id.substring(2, 4) + "/" + id + ".jpeg";
    }

    public static Sample sample(String id, byte[] image, String task, String question) {
        return new Sample(1, id, Ids.imageId(image), imageKey(image),
                List.of(Turn.human("<image>\n" + question), Turn.gpt("A cat " + id + ".")), task, "c",
                new Licence("CC BY 2.0", "u"), null, null, "2026-01-01T00:00:00Z");
    }

    public static Sample sample(String id, byte[] image, String task) {
        return sample(id, image, task, "Describe.");
    }

    /** What an in-memory object store would hold: image keys to bytes. */
    public static ImageSource images(byte[]... images) {
        Map<String, byte[]> byKey = new TreeMap<>();
        for (byte[] image : images) {
            byKey.put(imageKey(image), image);
        }
        return key -> {
            byte[] bytes = byKey.get(key);
            if (bytes == null) {
                throw new IllegalStateException("no image " + key);
            }
            return bytes;
        };
    }

    /** A sink that keeps every file in a sorted map by its path in the release. */
    public static final class MemorySink implements FileSink {
        public final Map<String, byte[]> files = new TreeMap<>();

        @Override
        public void put(String path, byte[] bytes, String contentType) {
            files.put(path, bytes);
        }
    }
}
