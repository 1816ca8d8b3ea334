package io.vlitforge.ingestion.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.vlitforge.ingestion.config.IngestionConfig;
import io.vlitforge.ingestion.formats.SourceItem;
import io.vlitforge.ingestion.service.ImportReport;
import io.vlitforge.ingestion.service.IngestService;
import io.vlitforge.shared.boxes.BoxConventions;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.Licence;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * One image uploaded with its annotations ({@code multipart/form-data}: {@code image} the file,
 * {@code annotations} optional JSON {@code {"captions": [...], "boxes": [{"category", "x", "y", "width",
 * "height"}], "licence": {"name", "url"}}} with COCO pixel boxes, {@code dataset}), for systems that hand
 * over images one at a time. It runs as an ingest run of its own, through the same checks as any import
 * (decoding, size, boxes clipped or refused with a reason), so the answer is the run's report.
 */
@Path("/imports/upload")
public class UploadResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IngestService ingestService;
    private final IngestionConfig config;

    public UploadResource(IngestService ingestService, IngestionConfig config) {
        this.ingestService = ingestService;
        this.config = config;
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@RestForm("image") FileUpload image, @RestForm("annotations") String annotations,
            @RestForm("dataset") String dataset) throws IOException {
        String name = dataset == null || dataset.isBlank() ? "uploads" : dataset.strip();
        if (!name.matches("[A-Za-z0-9._-]{1,100}")) {
            return bad("dataset must be 1-100 letters, digits, '.', '_' or '-'");
        }
        if (image == null || image.uploadedFile() == null) {
            return bad("an 'image' file part is required");
        }
        if (image.size() > config.ingest().maxImageBytes()) {
            return Response.status(413).entity(Map.of("error", "the image has " + image.size()
                    + " bytes, more than the limit of " + config.ingest().maxImageBytes())).build();
        }
        JsonNode notes;
        try {
            notes = annotations == null || annotations.isBlank() ? JSON.createObjectNode() : JSON.readTree(annotations);
        } catch (IOException e) {
            return bad("annotations are not JSON: " + e.getMessage());
        }
        if (!notes.isObject()) {
            return bad("annotations must be a JSON object");
        }
        // The file keeps only a safe name of its own: the client's file name never becomes a path.
        String fileName = "upload" + extension(image.fileName());
        java.nio.file.Path dir = Files.createTempDirectory("vlit-upload-");
        try {
            Files.copy(image.uploadedFile(), dir.resolve(fileName), StandardCopyOption.REPLACE_EXISTING);
            String sourceId = UUID.randomUUID().toString();
            SourceItem item = new SourceItem("upload", "upload", sourceId, fileName);
            item.baseDir = dir;
            int n = 0;
            for (JsonNode caption : notes.path("captions")) {
                if (!caption.isTextual()) {
                    return bad("captions must be strings");
                }
                item.captions.add(new SourceItem.Caption(sourceId + "#" + n++, caption.asText()));
            }
            n = 0;
            for (JsonNode b : notes.path("boxes")) {
                if (!b.path("category").isTextual() || !b.path("x").isNumber() || !b.path("y").isNumber()
                        || !b.path("width").isNumber() || !b.path("height").isNumber()) {
                    return bad("each box needs a category and numeric x, y, width, height (COCO pixels)");
                }
                item.boxes.add(new BoundingBox(b.get("category").asText(), b.get("x").asDouble(), b.get("y").asDouble(),
                        b.get("width").asDouble(), b.get("height").asDouble(), sourceId + "#box" + n++, List.of(),
                        BoxConventions.COCO_XYWH));
            }
            JsonNode licence = notes.path("licence");
            if (licence.isObject()) {
                item.licence = new Licence(licence.path("name").asText(null), licence.path("url").asText(null));
            }
            ImportReport report = ingestService.ingestItems("upload", List.of(item), dir, name,
                    UUID.randomUUID().toString());
            return Response.ok(report).build();
        } finally {
            try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String extension(String clientName) {
        if (clientName == null) {
            return "";
        }
        String lower = clientName.toLowerCase(java.util.Locale.ROOT);
        for (String ext : List.of(".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp")) {
            if (lower.endsWith(ext)) {
                return ext;
            }
        }
        return "";
    }

    private static Response bad(String message) {
        return Response.status(400).entity(Map.of("error", message)).build();
    }
}
