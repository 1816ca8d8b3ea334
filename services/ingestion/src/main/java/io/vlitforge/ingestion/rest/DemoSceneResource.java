package io.vlitforge.ingestion.rest;

import io.smallrye.common.annotation.Blocking;
import io.vlitforge.ingestion.demo.DemoSceneRenderer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.Map;

/** Renders the demo data set into a COCO folder, which is then imported like any other. */
@Path("/demo-scenes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class DemoSceneResource {

    /** {@code faults}: also write a truncated image and two broken annotations, to show rejections. */
    public record DemoSceneRequest(String outputDir, Integer count, Long seed, Boolean faults) {
    }

    @POST
    @Blocking
    public Response render(DemoSceneRequest request) throws IOException {
        if (request == null || request.outputDir() == null || request.outputDir().isBlank()) {
            return Response.status(400).entity(Map.of("error", "outputDir is required")).build();
        }
        int count = request.count() == null ? 24 : request.count();
        long seed = request.seed() == null ? 7 : request.seed();
        try {
            DemoSceneRenderer.DemoFolder folder = new DemoSceneRenderer().render(Paths.get(request.outputDir()),
                    count, seed, Boolean.TRUE.equals(request.faults()));
            return Response.ok(Map.of("annotationsDir", folder.annotationsDir().toString(),
                    "imagesDir", folder.imagesDir().toString(), "images", folder.images())).build();
        } catch (IllegalArgumentException e) {
            return Response.status(400).entity(Map.of("error", e.getMessage())).build();
        }
    }
}
