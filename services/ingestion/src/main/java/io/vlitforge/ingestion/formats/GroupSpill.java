package io.vlitforge.ingestion.formats;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Groups the entries of files that list an image's annotations anywhere (COCO's {@code annotations}, VQA's
 * questions and answers, GQA's questions) by image, in bounded memory: a grace hash join. While the files
 * are streamed, each entry (as compact JSON, with a tag saying what it is) is appended to one of
 * {@code B} bucket files on disk chosen by the hash of its image id; then the buckets are read back one at
 * a time and grouped in memory, so memory holds one bucket (about {@link #BUCKET_BYTES} of the source),
 * never the source. {@code B} is chosen from the size of the source before it is read. Within a bucket,
 * groups come in the order of their first entry, and each group's entries in the order they were added.
 * The bucket files are deleted on {@link #close()}.
 */
public final class GroupSpill implements Closeable {

    /** Source bytes per bucket; one bucket is what is in memory at a time. */
    public static final long BUCKET_BYTES = 4L * 1024 * 1024;
    /** At most this many bucket files (open at once while spilling). */
    public static final int MAX_BUCKETS = 512;

    /** One spilled entry: its tag and its JSON. */
    public record Entry(long seq, int tag, byte[] json) {

        public JsonNode node() {
            try {
                return Json.MAPPER.readTree(json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Receives each group: the image id and its entries. */
    @FunctionalInterface
    public interface GroupVisitor {
        void group(String key, List<Entry> entries) throws IOException;
    }

    private final Path dir;
    private final DataOutputStream[] buckets;
    private long seq;
    private boolean read;

    private GroupSpill(int count) throws IOException {
        this.dir = Files.createTempDirectory("vlit-spill-");
        this.buckets = new DataOutputStream[count];
    }

    /** A spill sized for a source of this many bytes. */
    public static GroupSpill forSourceBytes(long bytes) throws IOException {
        long count = Math.max(1, (bytes + BUCKET_BYTES - 1) / BUCKET_BYTES);
        return new GroupSpill((int) Math.min(MAX_BUCKETS, count));
    }

    /** The size of the files, for {@link #forSourceBytes}; unreadable files count as empty. */
    public static long sizeOf(List<Path> files) {
        long total = 0;
        for (Path f : files) {
            try {
                total += Files.isRegularFile(f) ? Files.size(f) : 0;
            } catch (IOException e) {
                // Counted as empty; reading it will report it.
            }
        }
        return total;
    }

    public int bucketCount() {
        return buckets.length;
    }

    /** Adds one entry of image {@code key}. */
    public void add(String key, int tag, JsonNode node) throws IOException {
        if (read) {
            throw new IllegalStateException("the spill has been read");
        }
        byte[] json = Json.MAPPER.writeValueAsBytes(node);
        int b = Math.floorMod(key.hashCode(), buckets.length);
        if (buckets[b] == null) {
            buckets[b] = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file(b)), 8192));
        }
        DataOutputStream out = buckets[b];
        out.writeLong(seq++);
        out.writeUTF(key);
        out.writeInt(tag);
        out.writeInt(json.length);
        out.write(json);
    }

    /** Every group, one bucket at a time. */
    public void forEachGroup(GroupVisitor visitor) throws IOException {
        read = true;
        for (DataOutputStream out : buckets) {
            if (out != null) {
                out.close();
            }
        }
        for (int b = 0; b < buckets.length; b++) {
            if (buckets[b] == null) {
                continue;
            }
            Map<String, List<Entry>> groups = new HashMap<>();
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file(b)),
                    1 << 16))) {
                while (true) {
                    long s;
                    try {
                        s = in.readLong();
                    } catch (EOFException end) {
                        break;
                    }
                    String key = in.readUTF();
                    int tag = in.readInt();
                    byte[] json = new byte[in.readInt()];
                    in.readFully(json);
                    groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new Entry(s, tag, json));
                }
            }
            Files.deleteIfExists(file(b));
            List<Map.Entry<String, List<Entry>>> ordered = new ArrayList<>(groups.entrySet());
            groups = null;
            ordered.sort(Comparator.comparingLong(e -> e.getValue().get(0).seq()));
            for (int i = 0; i < ordered.size(); i++) {
                Map.Entry<String, List<Entry>> group = ordered.set(i, null);
                visitor.group(group.getKey(), group.getValue());
            }
        }
    }

    private Path file(int b) {
        return dir.resolve("bucket-" + b);
    }

    @Override
    public void close() throws IOException {
        for (DataOutputStream out : buckets) {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    // Deleted below either way.
                }
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
