package io.vlitforge.publication.service;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns an accepted set into release files. {@code llava.json} is LLaVA's training format: a list of
 * {@code {id, image, conversations:[{from, value}]}} where {@code image} is relative to the release's
 * {@code images/} folder (LLaVA's {@code --image_folder}). Output is a pure function of the input: samples
 * in id order, keys in fixed order, maps sorted, no timestamps; rebuilding gives identical bytes.
 */
public final class LlavaReleaseWriter {

    public static final String LLAVA_FILE = "llava.json";
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String IMAGE_FOLDER = "images/";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** The release's content before it is written anywhere. */
    public record ReleaseFiles(byte[] llavaJson, byte[] manifestJson, Map<String, String> imageCopies,
            Map<String, Long> samplesByTask, long samples, Map<String, String> files) {
    }

    public ReleaseFiles build(String name, String version, List<Sample> samples) {
        List<Sample> ordered = new ArrayList<>(samples);
        ordered.sort((a, b) -> a.id().compareTo(b.id()));
        Map<String, String> imageCopies = new TreeMap<>();
        Map<String, String> imageHashes = new TreeMap<>();
        Map<String, Long> byTask = new TreeMap<>();
        Map<String, Long> byLicence = new TreeMap<>();
        TreeSet<String> licensedImages = new TreeSet<>();
        byte[] llava = writeLlava(ordered, imageCopies, imageHashes, byTask, byLicence, licensedImages);

        Map<String, String> files = new TreeMap<>();
        files.put(LLAVA_FILE, Ids.sha256Hex(llava));
        files.putAll(imageHashes);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", name);
        manifest.put("version", version);
        manifest.put("format", "llava");
        manifest.put("trainingFile", LLAVA_FILE);
        manifest.put("imageFolder", IMAGE_FOLDER.substring(0, IMAGE_FOLDER.length() - 1));
        manifest.put("samples", (long) ordered.size());
        manifest.put("images", (long) imageCopies.size());
        manifest.put("samplesByTask", byTask);
        manifest.put("imagesByLicence", byLicence);
        manifest.put("files", files);
        byte[] manifestBytes;
        try {
            manifestBytes = JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ReleaseFiles(llava, manifestBytes, imageCopies, byTask, ordered.size(), files);
    }

    private static byte[] writeLlava(List<Sample> ordered, Map<String, String> imageCopies,
            Map<String, String> imageHashes, Map<String, Long> byTask, Map<String, Long> byLicence,
            TreeSet<String> licensedImages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartArray();
            for (Sample s : ordered) {
                String relative = imagePathInRelease(s.imageKey());
                imageCopies.put(s.imageKey(), IMAGE_FOLDER + relative);
                // Image objects are named by the sha256 of their bytes (checked at ingestion), so the
                // image id is the file's hash; the end-to-end test recomputes it from the downloaded file.
                imageHashes.put(IMAGE_FOLDER + relative, s.imageId());
                byTask.merge(s.task(), 1L, Long::sum);
                if (licensedImages.add(s.imageId())) {
                    byLicence.merge(s.licence() == null || s.licence().name() == null ? "unknown"
                            : s.licence().name(), 1L, Long::sum);
                }
                g.writeStartObject();
                g.writeStringField("id", s.id());
                g.writeStringField("image", relative);
                g.writeArrayFieldStart("conversations");
                for (Turn t : s.conversations()) {
                    g.writeStartObject();
                    g.writeStringField("from", t.from());
                    g.writeStringField("value", t.value());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code images/aa/bb/<sha>.jpeg} in the store becomes {@code aa/bb/<sha>.jpeg} under the release's images/. */
    static String imagePathInRelease(String imageKey) {
        return imageKey.startsWith(IMAGE_FOLDER) ? imageKey.substring(IMAGE_FOLDER.length()) : imageKey;
    }
}
