package io.vlitforge.publication.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.publication.card.DatasetCard;
import io.vlitforge.publication.formats.LlavaFormat;
import io.vlitforge.publication.formats.ParquetFormat;
import io.vlitforge.publication.formats.ReleaseContent;
import io.vlitforge.publication.formats.ReleaseJson;
import io.vlitforge.publication.formats.ShareGptFormat;
import io.vlitforge.publication.formats.WebDatasetFormat;
import io.vlitforge.publication.service.ReleaseWriter.ReleaseFiles;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.ByteBuffer;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;

/**
 * Reads every written file of a release back and checks it the way the trainers would load it, before the
 * manifest is written: each file is there with the sha256 the manifest will claim, every JSON file parses,
 * every sample's {@code <image>} count equals its image count, every referenced image is in the release,
 * every tar shard lists and parses with both members per key and the image matching its id, and each format
 * holds every sample once. These are the faults that have broken LLaVA, LLaMA-Factory and WebDataset
 * loaders on other people's data; finding them here means nobody downloads a release that fails to load.
 */
public final class ReleaseValidator {

    private static final HexFormat HEX = HexFormat.of();

    /** Opens a file of the release by its path inside the release. */
    @FunctionalInterface
    public interface ReleaseReader {
        /** @throws NoSuchFileException when the file is not there */
        InputStream open(String path) throws IOException;
    }

    /** @throws ReleaseValidationException naming the first check that failed */
    public void validate(ReleaseFiles release, ReleaseReader reader) {
        Counts counts = new Counts();
        for (Map.Entry<String, String> file : release.files().entrySet()) {
            String path = file.getKey();
            MessageDigest sha256 = sha256();
            try (InputStream raw = reader.open(path); DigestInputStream in = new DigestInputStream(raw, sha256)) {
                check(release, path, in, counts);
                in.transferTo(OutputStream.nullOutputStream());
            } catch (NoSuchFileException e) {
                throw new ReleaseValidationException("files.present", path + " is not in the release");
            } catch (IOException e) {
                throw new ReleaseValidationException("files.readable", path + " cannot be read back: "
                        + e.getMessage());
            }
            String actual = HEX.formatHex(sha256.digest());
            if (!actual.equals(file.getValue())) {
                throw new ReleaseValidationException("files.sha256", path + " has sha256 " + actual + ", expected "
                        + file.getValue());
            }
        }
        checkCount(release, LlavaFormat.NAME, counts.llava);
        checkCount(release, ShareGptFormat.NAME, counts.sharegpt);
        checkCount(release, WebDatasetFormat.NAME, counts.webdataset);
        checkCount(release, ParquetFormat.NAME, counts.parquet);
        if (!counts.card) {
            throw new ReleaseValidationException("card.readme", DatasetCard.README + " was not written");
        }
        if (release.formats().contains(ShareGptFormat.NAME) && !counts.datasetInfo) {
            throw new ReleaseValidationException("sharegpt.dataset_info", ShareGptFormat.DATASET_INFO
                    + " was not written");
        }
    }

    private static void check(ReleaseFiles release, String path, InputStream in, Counts counts) throws IOException {
        if (path.equals(LlavaFormat.FILE)) {
            counts.llava = checkLlava(release, readJson(LlavaFormat.NAME, in));
        } else if (path.equals(ShareGptFormat.FILE)) {
            counts.sharegpt = checkShareGpt(release, readJson(ShareGptFormat.NAME, in));
        } else if (path.equals(ShareGptFormat.DATASET_INFO)) {
            checkDatasetInfo(release, readJson(ShareGptFormat.NAME, in));
            counts.datasetInfo = true;
        } else if (path.startsWith(WebDatasetFormat.SHARD_FOLDER)) {
            counts.webdataset += checkShard(path, in, counts.webdatasetKeys);
        } else if (path.startsWith(ParquetFormat.FOLDER)) {
            counts.parquet += checkParquet(path, in.readAllBytes(), counts.parquetIds);
        } else if (path.startsWith(DatasetCard.CHART_FOLDER)) {
            BufferedImage chart = ImageIO.read(new ByteArrayInputStream(in.readAllBytes()));
            if (chart == null || chart.getWidth() == 0) {
                throw new ReleaseValidationException("card.charts", path + " is not a readable PNG");
            }
        } else if (path.equals(DatasetCard.README)) {
            counts.card = true;
        }
    }

    private static long checkLlava(ReleaseFiles release, JsonNode llava) {
        if (!llava.isArray()) {
            throw new ReleaseValidationException("llava.parse", LlavaFormat.FILE + " is not a JSON array");
        }
        for (JsonNode entry : llava) {
            String id = entry.path("id").asText();
            String image = entry.path("image").asText("");
            if (!holds(release, ReleaseContent.IMAGE_FOLDER + image)
                    && !holds(release, ReleaseContent.STORE_IMAGE_FOLDER + image) && !holds(release, image)) {
                throw new ReleaseValidationException("llava.images_present", "sample " + id + " refers to images/"
                        + image + ", which the release does not hold");
            }
            int tokens = 0;
            for (JsonNode turn : entry.path("conversations")) {
                tokens += ReleaseJson.occurrences(turn.path("value").asText(""), Turn.IMAGE_TOKEN);
            }
            if (tokens != 1) {
                throw new ReleaseValidationException("llava.image_tokens", "sample " + id + " has " + tokens
                        + " <image> tokens for 1 image");
            }
        }
        return llava.size();
    }

    /** The release holds the image at this path: bundled (a file of the release) or referenced in the store. */
    private static boolean holds(ReleaseFiles release, String path) {
        return release.files().containsKey(path) || release.referencedImages().containsValue(path);
    }

    private static long checkShareGpt(ReleaseFiles release, JsonNode sharegpt) {
        if (!sharegpt.isArray()) {
            throw new ReleaseValidationException("sharegpt.parse", ShareGptFormat.FILE + " is not a JSON array");
        }
        int index = 0;
        for (JsonNode entry : sharegpt) {
            JsonNode images = entry.path("images");
            JsonNode messages = entry.path("messages");
            if (!images.isArray() || !messages.isArray() || messages.isEmpty()) {
                throw new ReleaseValidationException("sharegpt.parse", "entry " + index
                        + " lacks a messages or images list");
            }
            int tokens = 0;
            for (int i = 0; i < messages.size(); i++) {
                JsonNode message = messages.get(i);
                // LLaMA-Factory drops any conversation whose roles do not alternate user, assistant.
                String expected = i % 2 == 0 ? ShareGptFormat.USER : ShareGptFormat.ASSISTANT;
                if (!expected.equals(message.path("role").asText())) {
                    throw new ReleaseValidationException("sharegpt.roles", "entry " + index + " message " + i
                            + " has role '" + message.path("role").asText() + "', expected '" + expected + "'");
                }
                tokens += ReleaseJson.occurrences(message.path("content").asText(""), Turn.IMAGE_TOKEN);
            }
            if (tokens != images.size()) {
                throw new ReleaseValidationException("sharegpt.image_tokens", "entry " + index + " has " + tokens
                        + " <image> tokens for " + images.size() + " images");
            }
            for (JsonNode image : images) {
                if (!holds(release, image.asText())) {
                    throw new ReleaseValidationException("sharegpt.images_present", "entry " + index + " refers to "
                            + image.asText() + ", which the release does not hold");
                }
            }
            index++;
        }
        return sharegpt.size();
    }

    private static void checkDatasetInfo(ReleaseFiles release, JsonNode info) {
        if (!info.isObject() || info.size() != 1) {
            throw new ReleaseValidationException("sharegpt.dataset_info", ShareGptFormat.DATASET_INFO
                    + " must hold exactly one dataset entry");
        }
        JsonNode entry = info.elements().next();
        boolean readable = ShareGptFormat.FILE.equals(entry.path("file_name").asText())
                && "sharegpt".equals(entry.path("formatting").asText())
                && "messages".equals(entry.path("columns").path("messages").asText())
                && "images".equals(entry.path("columns").path("images").asText())
                && ShareGptFormat.USER.equals(entry.path("tags").path("user_tag").asText())
                && ShareGptFormat.ASSISTANT.equals(entry.path("tags").path("assistant_tag").asText());
        if (!readable) {
            throw new ReleaseValidationException("sharegpt.dataset_info", ShareGptFormat.DATASET_INFO
                    + " does not describe " + ShareGptFormat.FILE + " as multimodal ShareGPT: " + entry);
        }
    }

    /** Lists and parses one shard; returns how many samples it holds. */
    private static long checkShard(String path, InputStream in, Set<String> seenKeys) {
        // WebDataset groups consecutive members by key; a key's members must be adjacent.
        Map<String, byte[]> members = new HashMap<>();
        String key = null;
        long samples = 0;
        try {
            // Not closed: that would close the digesting stream the caller still drains.
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (!entry.isFile()) {
                    throw new ReleaseValidationException("webdataset.members", path + " holds " + entry.getName()
                            + ", which is not a regular file");
                }
                String name = entry.getName();
                int dot = name.indexOf('.');
                String entryKey = dot < 0 ? name : name.substring(0, dot);
                if (!entryKey.equals(key)) {
                    if (key != null) {
                        checkSample(path, key, members);
                        samples++;
                    }
                    if (!seenKeys.add(entryKey)) {
                        throw new ReleaseValidationException("webdataset.members", "key " + entryKey
                                + " appears more than once (again in " + path + ")");
                    }
                    key = entryKey;
                    members.clear();
                }
                members.put(dot < 0 ? "" : name.substring(dot + 1), tar.readAllBytes());
            }
        } catch (IOException e) {
            throw new ReleaseValidationException("webdataset.tar_parse", path + " is not a readable tar: "
                    + e.getMessage());
        }
        if (key != null) {
            checkSample(path, key, members);
            samples++;
        }
        return samples;
    }

    private static void checkSample(String path, String key, Map<String, byte[]> members) {
        byte[] json = members.get("json");
        if (json == null || members.size() != 2) {
            throw new ReleaseValidationException("webdataset.members", "key " + key + " in " + path
                    + " has members " + new TreeSet<>(members.keySet()) + ", expected json and one image");
        }
        JsonNode sample;
        try {
            sample = ReleaseJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new ReleaseValidationException("webdataset.parse", key + ".json in " + path + " does not parse: "
                    + e.getMessage());
        }
        if (!key.equals(sample.path("id").asText())) {
            throw new ReleaseValidationException("webdataset.members", key + ".json in " + path + " has id "
                    + sample.path("id").asText());
        }
        int tokens = 0;
        for (JsonNode turn : sample.path("conversations")) {
            tokens += ReleaseJson.occurrences(turn.path("value").asText(""), Turn.IMAGE_TOKEN);
        }
        if (tokens != 1) {
            throw new ReleaseValidationException("webdataset.image_tokens", "sample " + key + " in " + path + " has "
                    + tokens + " <image> tokens for 1 image");
        }
        byte[] image = members.entrySet().stream().filter(m -> !m.getKey().equals("json")).findFirst()
                .orElseThrow().getValue();
        String actual = Ids.sha256Hex(image);
        if (!actual.equals(sample.path("imageId").asText())) {
            throw new ReleaseValidationException("webdataset.image_sha256", "sample " + key + " in " + path
                    + " carries an image with sha256 " + actual + ", expected " + sample.path("imageId").asText());
        }
    }

    /**
     * Reads one Parquet file the way {@code datasets} would: footer, schema, the {@code huggingface} features
     * entry, every row's conversation and embedded image. Returns how many rows it holds.
     */
    private static long checkParquet(String path, byte[] file, Set<String> seenIds) {
        long rows = 0;
        try (ParquetFileReader reader = ParquetFileReader.open(new MemoryInputFile(file),
                // A plain configuration: Hadoop's own would load XML parsers this service does not ship.
                ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
            if (!reader.getFileMetaData().getKeyValueMetaData().containsKey("huggingface")) {
                throw new ReleaseValidationException("parquet.features", path + " lacks the huggingface features");
            }
            MessageType schema = reader.getFileMetaData().getSchema();
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    Group row = records.read();
                    String id = row.getString("id", 0);
                    if (!seenIds.add(id)) {
                        throw new ReleaseValidationException("parquet.rows", "sample " + id
                                + " appears more than once (again in " + path + ")");
                    }
                    Group conversations = row.getGroup("conversations", 0);
                    int tokens = 0;
                    for (int t = 0; t < conversations.getFieldRepetitionCount("list"); t++) {
                        Group turn = conversations.getGroup("list", t).getGroup("element", 0);
                        tokens += ReleaseJson.occurrences(turn.getString("value", 0), Turn.IMAGE_TOKEN);
                    }
                    if (tokens != 1) {
                        throw new ReleaseValidationException("parquet.image_tokens", "sample " + id + " in " + path
                                + " has " + tokens + " <image> tokens for 1 image");
                    }
                    byte[] image = row.getGroup("image", 0).getBinary("bytes", 0).getBytes();
                    String actual = Ids.sha256Hex(image);
                    if (!actual.equals(row.getString("image_id", 0))) {
                        throw new ReleaseValidationException("parquet.image_sha256", "sample " + id + " in " + path
                                + " carries an image with sha256 " + actual);
                    }
                    rows++;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ReleaseValidationException v) {
                throw v;
            }
            throw new ReleaseValidationException("parquet.parse", path + " is not a readable Parquet file: "
                    + e.getMessage());
        }
        return rows;
    }

    /** A Parquet input over bytes already read (files are bounded like shards). */
    private record MemoryInputFile(byte[] bytes) implements InputFile {
        @Override
        public long getLength() {
            return bytes.length;
        }

        @Override
        public SeekableInputStream newStream() {
            return new SeekableInputStream() {
                private int position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void seek(long newPos) {
                    position = (int) newPos;
                }

                @Override
                public int read() {
                    return position < bytes.length ? bytes[position++] & 0xff : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (position >= bytes.length) {
                        return len == 0 ? 0 : -1;
                    }
                    int n = Math.min(len, bytes.length - position);
                    System.arraycopy(bytes, position, b, off, n);
                    position += n;
                    return n;
                }

                @Override
                public void readFully(byte[] b) throws IOException {
                    readFully(b, 0, b.length);
                }

                @Override
                public void readFully(byte[] b, int off, int len) throws IOException {
                    if (position + len > bytes.length) {
                        throw new EOFException("Parquet file ends early");
                    }
                    System.arraycopy(bytes, position, b, off, len);
                    position += len;
                }

                @Override
                public int read(ByteBuffer buf) {
                    int n = Math.min(buf.remaining(), bytes.length - position);
                    if (n <= 0) {
                        return buf.remaining() == 0 ? 0 : -1;
                    }
                    buf.put(bytes, position, n);
                    position += n;
                    return n;
                }

                @Override
                public void readFully(ByteBuffer buf) throws IOException {
                    int n = buf.remaining();
                    if (position + n > bytes.length) {
                        throw new EOFException("Parquet file ends early");
                    }
                    buf.put(bytes, position, n);
                    position += n;
                }
            };
        }
    }

    private static void checkCount(ReleaseFiles release, String format, long found) {
        if (release.formats().contains(format) && found != release.samples()) {
            throw new ReleaseValidationException(format + ".sample_count", format + " holds " + found
                    + " samples, the release has " + release.samples());
        }
    }

    private static JsonNode readJson(String format, InputStream in) {
        try {
            // Read whole first: Jackson closes a stream it parses, and the digest still needs the rest of it.
            return ReleaseJson.MAPPER.readTree(in.readAllBytes());
        } catch (JsonProcessingException e) {
            throw new ReleaseValidationException(format + ".parse", "a " + format + " file does not parse: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ReleaseValidationException("files.readable", "a " + format + " file cannot be read back: "
                    + e.getMessage());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    /** What the files held, summed while they are read. */
    private static final class Counts {
        long llava;
        long sharegpt;
        long webdataset;
        long parquet;
        boolean datasetInfo;
        boolean card;
        final Set<String> webdatasetKeys = new HashSet<>();
        final Set<String> parquetIds = new HashSet<>();
    }
}
