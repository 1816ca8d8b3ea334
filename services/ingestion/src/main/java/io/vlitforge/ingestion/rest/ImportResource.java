package io.vlitforge.ingestion.rest;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.coco.CocoFormatException;
import io.vlitforge.ingestion.entity.IngestRejectionEntity;
import io.vlitforge.ingestion.entity.IngestRunEntity;
import io.vlitforge.ingestion.objectstore.ObjectStore;
import io.vlitforge.ingestion.repository.IngestionRepository;
import io.vlitforge.ingestion.service.CocoImportService;
import io.vlitforge.ingestion.service.ImportReport;
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
import java.util.List;
import java.util.Map;

/** Starts imports of annotation folders and reports on them. */
@Path("/imports")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ImportResource {

    private final CocoImportService importService;
    private final IngestionRepository repository;

    public ImportResource(CocoImportService importService, IngestionRepository repository) {
        this.importService = importService;
        this.repository = repository;
    }

    /** Paths are read by this service's process, so they are paths on its machine. */
    public record CocoImportRequest(String annotationsDir, String imagesDir, String dataset) {
    }

    @POST
    @Path("/coco")
    @Blocking
    public Response importCoco(CocoImportRequest request) throws IOException {
        if (request == null || isBlank(request.annotationsDir()) || isBlank(request.imagesDir())) {
            return badRequest("annotationsDir and imagesDir are required");
        }
        String dataset = isBlank(request.dataset()) ? "coco" : request.dataset().strip();
        if (!dataset.matches("[A-Za-z0-9._-]{1,100}")) {
            return badRequest("dataset must be 1-100 letters, digits, '.', '_' or '-'");
        }
        try {
            ImportReport report = importService.importFolder(Paths.get(request.annotationsDir()),
                    Paths.get(request.imagesDir()), dataset);
            return Response.ok(report).build();
        } catch (CocoFormatException | IllegalArgumentException e) {
            return badRequest(e.getMessage());
        } catch (ObjectStore.ObjectStoreException e) {
            // The run is stored as FAILED with this reason; images imported before it stay imported.
            return Response.status(503).entity(Map.of("error", "import stopped: " + e.getMessage())).build();
        }
    }

    @GET
    @Path("/{runId}")
    public Uni<IngestRunEntity> run(@PathParam("runId") String runId) {
        return repository.findRun(runId).onItem().ifNull().failWith(() -> new NotFoundException("no import " + runId));
    }

    @GET
    @Path("/{runId}/rejections")
    public Uni<List<IngestRejectionEntity>> rejections(@PathParam("runId") String runId) {
        return repository.rejectionsOf(runId);
    }

    private static Response badRequest(String message) {
        return Response.status(Response.Status.BAD_REQUEST).entity(Map.of("error", message)).build();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
