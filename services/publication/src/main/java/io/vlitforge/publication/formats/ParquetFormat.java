package io.vlitforge.publication.formats;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Parquet files in the Hugging Face {@code datasets} layout ({@code parquet/train-00000.parquet}, ...): one
 * row per sample with {@code id}, {@code image} as {@code struct{bytes, path}} (the layout of the
 * {@code datasets.Image} feature, bytes embedded), {@code conversations} as a list of
 * {@code struct{from, value}} (LLaVA's turns), {@code task}, {@code category}, {@code source} and
 * {@code image_id}. The file's key-value metadata carries the {@code huggingface} features entry, so
 * {@code load_dataset("parquet", ...)} decodes {@code image} as an image, not a dict of bytes.
 *
 * <p>Files are bounded in bytes like the WebDataset shards (a sample bigger than the bound gets a file of its
 * own). Pages are uncompressed: the images (most of the bytes) are compressed already, and the pure-Java
 * path keeps a rebuilt file byte-identical on every machine (no native codec).
 */
public final class ParquetFormat implements ReleaseFormat {

    public static final String NAME = "parquet";
    public static final String FOLDER = "parquet/";
    public static final String CONTENT_TYPE = "application/vnd.apache.parquet";

    static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message sample {
              required binary id (STRING);
              required group image {
                optional binary bytes;
                optional binary path (STRING);
              }
              required group conversations (LIST) {
                repeated group list {
                  required group element {
                    required binary from (STRING);
                    required binary value (STRING);
                  }
                }
              }
              optional binary task (STRING);
              optional binary category (STRING);
              optional binary source (STRING);
              required binary image_id (STRING);
            }""");

    /** What {@code datasets} reads from the file's metadata to rebuild its features. */
    static final String HUGGINGFACE_METADATA;

    static {
        // Ordered maps only: Map.of iterates in an order that changes from one JVM run to the next.
        Map<String, Object> string = new LinkedHashMap<>();
        string.put("dtype", "string");
        string.put("_type", "Value");
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("_type", "Image");
        Map<String, Object> turn = new LinkedHashMap<>();
        turn.put("from", string);
        turn.put("value", string);
        Map<String, Object> features = new LinkedHashMap<>();
        features.put("id", string);
        features.put("image", image);
        features.put("conversations", List.of(turn));
        features.put("task", string);
        features.put("category", string);
        features.put("source", string);
        features.put("image_id", string);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("features", features);
        HUGGINGFACE_METADATA = ReleaseJson.compact(Map.of("info", info));
    }

    private final long fileMaxBytes;

    public ParquetFormat(long fileMaxBytes) {
        this.fileMaxBytes = fileMaxBytes;
    }

    @Override
    public String name() {
        return NAME;
    }

    public static String filePath(int index) {
        return String.format(Locale.ROOT, "%strain-%05d.parquet", FOLDER, index);
    }

    @Override
    public void write(ReleaseContent release, ImageSource images, FileSink out) {
        File file = null;
        int index = 0;
        for (Sample s : release.samples()) {
            byte[] image = images.read(s.imageKey());
            long rowBytes = image.length + textBytes(s);
            if (file != null && file.rowCount > 0 && file.contentBytes + rowBytes > fileMaxBytes) {
                out.put(filePath(index++), file.finish(), CONTENT_TYPE);
                file = null;
            }
            if (file == null) {
                file = new File();
            }
            file.add(s, image, rowBytes);
        }
        if (file != null) {
            out.put(filePath(index), file.finish(), CONTENT_TYPE);
        }
    }

    private static long textBytes(Sample s) {
        long n = s.id().length() + 64L;
        for (Turn t : s.conversations()) {
            n += t.value().length() + 16;
        }
        return n;
    }

    /** One Parquet file being written into memory. */
    private static final class File {
        final MemoryOutputFile target = new MemoryOutputFile();
        final ParquetWriter<Group> writer;
        final SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);
        long contentBytes;
        int rowCount;

        File() {
            try {
                writer = ExampleParquetWriter.builder(target)
                        .withConf(new PlainParquetConfiguration())
                        .withType(SCHEMA)
                        .withExtraMetaData(Map.of("huggingface", HUGGINGFACE_METADATA))
                        .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
                        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                        .withDictionaryEncoding(false)
                        .build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void add(Sample s, byte[] image, long rowBytes) {
            Group row = rows.newGroup().append("id", s.id());
            row.addGroup("image").append("bytes", Binary.fromConstantByteArray(image))
                    .append("path", ReleaseContent.pathInRelease(s));
            Group list = row.addGroup("conversations");
            for (Turn t : s.conversations()) {
                list.addGroup("list").addGroup("element").append("from", t.from()).append("value", t.value());
            }
            if (s.task() != null) {
                row.append("task", s.task());
            }
            if (s.category() != null) {
                row.append("category", s.category());
            }
            if (s.lineage() != null && s.lineage().source() != null && s.lineage().source().dataset() != null) {
                row.append("source", s.lineage().source().dataset());
            }
            row.append("image_id", s.imageId());
            try {
                writer.write(row);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rowCount++;
            contentBytes += rowBytes;
        }

        byte[] finish() {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return target.bytes.toByteArray();
        }
    }

    /** A Parquet output that is a byte array: the sink decides where the finished file goes. */
    private static final class MemoryOutputFile implements OutputFile {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                @Override
                public long getPos() {
                    return bytes.size();
                }

                @Override
                public void write(int b) {
                    bytes.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes.write(b, off, len);
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }

        @Override
        public String getPath() {
            return "memory";
        }
    }
}
