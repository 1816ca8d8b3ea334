package io.vlitforge.publication.rest;

import io.vlitforge.publication.service.ReleaseProgress;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code GET /release-progress/{name}}: where the latest release of that name is (or ended), for a caller that
 * waits on {@code POST /releases} and wants to show progress ({@code bin/vlit release} draws a bar from it).
 */
@Path("/release-progress")
@Produces(MediaType.APPLICATION_JSON)
public class ReleaseProgressResource {

    private final ReleaseProgress progress;

    public ReleaseProgressResource(ReleaseProgress progress) {
        this.progress = progress;
    }

    @GET
    @Path("/{name}")
    public Response of(@PathParam("name") String name) {
        return progress.of(name).map(v -> Response.ok(v).build())
                .orElse(Response.status(404).entity(Map.of("error", "no release named " + name + " has run here"))
                        .build());
    }
}
