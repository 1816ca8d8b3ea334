package io.vlitforge.publication.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * WebDataset tar shards ({@code shards/shard-000000.tar}, ...) for streaming loaders: one sample per key,
 * {@code <key>.json} holding {@code {id, imageId, conversations}} and {@code <key>.<ext>} holding the image's
 * bytes, the key being the sample id. Shards are bounded in bytes so that loaders can spread them over
 * workers; a sample larger than the bound on its own gets a shard of its own (never split, a WebDataset
 * sample must sit in one tar).
 *
 * <p>Every tar header field that tar would normally take from the machine (mtime, uid/gid, user and group
 * names) is fixed and members are in key order, so rebuilding gives byte-identical shards. One shard at a
 * time is held in memory, so the bound is also this writer's memory bound.
 */
public final class WebDatasetFormat implements ReleaseFormat {

    public static final String NAME = "webdataset";
    public static final String SHARD_FOLDER = "shards/";
    public static final String CONTENT_TYPE = "application/x-tar";
    /** tar's traditional blocking factor (20 records), which every reader accepts. */
    static final int BLOCK_BYTES = TarConstants.DEFAULT_BLKSIZE;
    private static final int RECORD_BYTES = TarConstants.DEFAULT_RCDSIZE;
    private static final int FILE_MODE = 0100644;

    private final long shardMaxBytes;

    public WebDatasetFormat(long shardMaxBytes) {
        if (shardMaxBytes < BLOCK_BYTES) {
            throw new IllegalArgumentException("a shard must be allowed at least " + BLOCK_BYTES + " bytes, got "
                    + shardMaxBytes);
        }
        this.shardMaxBytes = shardMaxBytes;
    }

    @Override
    public String name() {
        return NAME;
    }

    public static String shardPath(int index) {
        return String.format(Locale.ROOT, "%sshard-%06d.tar", SHARD_FOLDER, index);
    }

    /** The extension a sample's image member gets: the one its object key has ({@code jpeg}, {@code png}). */
    public static String imageExtension(Sample sample) {
        String key = sample.imageKey();
        int dot = key.lastIndexOf('.');
        return dot < 0 ? "bin" : key.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public void write(ReleaseContent release, ImageSource images, FileSink out) {
        Shard shard = new Shard();
        int index = 0;
        for (Sample s : release.samples()) {
            byte[] json = sampleJson(s);
            byte[] image = images.read(s.imageKey());
            long sampleBytes = memberBytes(json.length) + memberBytes(image.length);
            if (shard.samples > 0 && archiveBytes(shard.contentBytes + sampleBytes) > shardMaxBytes) {
                out.put(shardPath(index++), shard.finish(), CONTENT_TYPE);
                shard = new Shard();
            }
            // Member names sorted within the key (".jpeg" < ".json"), so the order never depends on code paths.
            String imageName = s.id() + "." + imageExtension(s);
            String jsonName = s.id() + ".json";
            if (imageName.compareTo(jsonName) < 0) {
                shard.add(imageName, image);
                shard.add(jsonName, json);
            } else {
                shard.add(jsonName, json);
                shard.add(imageName, image);
            }
            shard.samples++;
            shard.contentBytes += sampleBytes;
        }
        if (shard.samples > 0) {
            out.put(shardPath(index), shard.finish(), CONTENT_TYPE);
        }
    }

    /** A member's size in the archive: one header record plus its data padded to whole records. */
    static long memberBytes(long dataBytes) {
        return RECORD_BYTES + roundUp(dataBytes, RECORD_BYTES);
    }

    /** A finished archive's size: the members, two end-of-archive records, padded to whole blocks. */
    static long archiveBytes(long contentBytes) {
        return roundUp(contentBytes + 2L * RECORD_BYTES, BLOCK_BYTES);
    }

    private static long roundUp(long n, long unit) {
        return (n + unit - 1) / unit * unit;
    }

    private static byte[] sampleJson(Sample s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = ReleaseJson.MAPPER.getFactory().createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("id", s.id());
            g.writeStringField("imageId", s.imageId());
            g.writeArrayFieldStart("conversations");
            for (Turn t : s.conversations()) {
                g.writeStartObject();
                g.writeStringField("from", t.from());
                g.writeStringField("value", t.value());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The shard being filled. */
    private static final class Shard {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream tar;
        private int samples;
        private long contentBytes;

        Shard() {
            tar = new TarArchiveOutputStream(bytes, BLOCK_BYTES, StandardCharsets.UTF_8.name());
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        void add(String name, byte[] data) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(data.length);
            entry.setMode(FILE_MODE);
            entry.setModTime(FileTime.fromMillis(0));
            entry.setIds(0, 0);
            entry.setUserName("");
            entry.setGroupName("");
            try {
                tar.putArchiveEntry(entry);
                tar.write(data);
                tar.closeArchiveEntry();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] finish() {
            try {
                tar.finish();
                tar.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }
}
