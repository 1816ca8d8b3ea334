package io.vlitforge.ingestion.rest;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.coco.CocoFormatException;
import io.vlitforge.ingestion.entity.IngestRejectionEntity;
import io.vlitforge.ingestion.entity.IngestRunEntity;
import io.vlitforge.ingestion.formats.SourceFormatException;
import io.vlitforge.ingestion.objectstore.ObjectStore;
import io.vlitforge.ingestion.repository.IngestionRepository;
import io.vlitforge.ingestion.service.ImportReport;
import io.vlitforge.ingestion.objectstore.S3Sources;
import io.vlitforge.ingestion.service.IngestService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts imports (ingest runs) of annotation sources in any known format and reports on them: what each
 * run counted and every item it refused.
 */
@Path("/imports")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ImportResource {

    private final IngestService ingestService;
    private final IngestionRepository repository;
    private final S3Sources s3Sources;

    public ImportResource(IngestService ingestService, IngestionRepository repository, S3Sources s3Sources) {
        this.ingestService = ingestService;
        this.repository = repository;
        this.s3Sources = s3Sources;
    }

    /** Paths are read by this service's process, so they are paths on its machine. */
    public record CocoImportRequest(String annotationsDir, String imagesDir, String dataset) {
    }

    /**
     * An import of any format: {@code paths} (files or folders, as the format reads them) or
     * {@code annotationsDir}; {@code imagesDir} where image paths resolve (default: beside the annotations);
     * {@code runId} (a UUID, optional) lets a caller follow the run's progress on {@code GET /imports/{id}}
     * while this call is still running.
     */
    public record ImportRequest(String format, List<String> paths, String annotationsDir, String imagesDir,
            String dataset, String runId) {
    }

    /** A run as stored, with its refusals counted by reason. */
    public record RunView(String runId, String dataset, String format, String status, String annotations,
            String imagesDir, int imagesSeen, int ingested, int merged, int duplicates, int imagesRestored,
            int imagesRejected, int annotationsRejected, int rejected, int boxesClipped, int annotationCount,
            Map<String, Long> rejectedByReason, String startedAt, String finishedAt) {
    }

    @POST
    @Path("/coco")
    @Blocking
    public Response importCoco(CocoImportRequest request) throws IOException {
        if (request == null || isBlank(request.annotationsDir()) || isBlank(request.imagesDir())) {
            return badRequest("annotationsDir and imagesDir are required");
        }
        return run("coco", List.of(request.annotationsDir()), request.imagesDir(), request.dataset(), null);
    }

    @POST
    @Blocking
    public Response importAny(ImportRequest request) throws IOException {
        if (request == null || isBlank(request.format())) {
            return badRequest("format is required");
        }
        List<String> paths = new ArrayList<>();
        if (request.paths() != null) {
            request.paths().stream().filter(p -> !isBlank(p)).forEach(paths::add);
        }
        if (!isBlank(request.annotationsDir())) {
            paths.add(request.annotationsDir());
        }
        if (paths.isEmpty()) {
            return badRequest("paths (or annotationsDir) are required");
        }
        if (!isBlank(request.runId())) {
            try {
                java.util.UUID.fromString(request.runId());
            } catch (IllegalArgumentException e) {
                return badRequest("runId must be a UUID");
            }
        }
        return run(request.format(), paths, request.imagesDir(), request.dataset(), request.runId());
    }

    private Response run(String format, List<String> paths, String imagesDir, String datasetName, String runId)
            throws IOException {
        String dataset = isBlank(datasetName) ? format.strip() : datasetName.strip();
        if (!dataset.matches("[A-Za-z0-9._-]{1,100}")) {
            return badRequest("dataset must be 1-100 letters, digits, '.', '_' or '-'");
        }
        try {
            try (S3Sources.Local local = s3Sources.resolve(paths, isBlank(imagesDir) ? null : imagesDir)) {
                ImportReport report = ingestService.ingest(format, local.paths(), local.imagesDir(), dataset,
                        isBlank(runId) ? null : runId);
                return Response.ok(report).build();
            }
        } catch (CocoFormatException | SourceFormatException | IllegalArgumentException e) {
            return badRequest(e.getMessage());
        } catch (ObjectStore.ObjectStoreException e) {
            // The run is stored as FAILED with this reason; images imported before it stay imported.
            return Response.status(503).entity(Map.of("error", "import stopped: " + e.getMessage())).build();
        }
    }

    @GET
    @Path("/{runId}")
    public Uni<RunView> run(@PathParam("runId") String runId) {
        return repository.findRun(runId).onItem().ifNull().failWith(() -> new NotFoundException("no import " + runId))
                .chain(run -> repository.rejectionCounts(runId).map(counts -> view(run, counts)));
    }

    private static RunView view(IngestRunEntity r, Map<String, Long> counts) {
        return new RunView(r.runId, r.dataset, r.format, r.status, r.annotationsDir, r.imagesDir, r.imagesSeen,
                r.imagesNew - r.imagesMerged, r.imagesMerged, r.imagesAlreadyPresent, r.imagesRestored,
                r.imagesRejected, r.annotationsRejected, r.imagesRejected + r.annotationsRejected, r.boxesClipped,
                r.annotations, counts, String.valueOf(r.startedAt), String.valueOf(r.finishedAt));
    }

    @GET
    @Path("/{runId}/rejections")
    public Uni<List<IngestRejectionEntity>> rejections(@PathParam("runId") String runId) {
        return repository.rejectionsOf(runId);
    }

    private static Response badRequest(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", String.valueOf(message))).build();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
