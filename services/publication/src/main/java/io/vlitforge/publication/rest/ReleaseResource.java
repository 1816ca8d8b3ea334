package io.vlitforge.publication.rest;

import io.smallrye.common.annotation.Blocking;
import io.vlitforge.publication.entity.ReleaseEntity;
import io.vlitforge.publication.repository.PublicationRepository;
import io.vlitforge.publication.service.ReleaseRecipe;
import io.vlitforge.publication.service.ReleaseService;
import io.vlitforge.publication.service.ReleaseService.ReleaseException;
import io.vlitforge.publication.service.ReleaseValidationException;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Publishes releases (in the formats asked for) and lists them. */
@Path("/releases")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ReleaseResource {

    private final ReleaseService releases;
    private final PublicationRepository repository;

    public ReleaseResource(ReleaseService releases, PublicationRepository repository) {
        this.releases = releases;
        this.repository = repository;
    }

    /**
     * {@code version} may be omitted: the next {@code vN} for the name is taken. {@code formats} is any of
     * {@code llava}, {@code sharegpt}, {@code webdataset}; omitted, it is {@code [llava]}. {@code sources}: the
     * data sets to release (each sample's source data set); omitted, every accepted sample. {@code recipe}: a
     * {@link ReleaseRecipe} (sources, tasks, strategies, minScores, sourceWeights, taskCaps, mergePerImage,
     * mergeMaxTurns, seed); {@code sources} given beside it joins it. {@code images}: {@code bundle} (default,
     * copied into the release), {@code reference} (the store's own images, by relative path) or {@code links}
     * (presigned download links that expire).
     */
    public record ReleaseRequest(String name, String version, List<String> formats, List<String> sources,
            ReleaseRecipe recipe, String images) {

        ReleaseRecipe effectiveRecipe() {
            if (recipe == null) {
                return ReleaseRecipe.ofSources(sources);
            }
            if (sources == null || sources.isEmpty()) {
                return recipe;
            }
            return new ReleaseRecipe(sources, recipe.tasks(), recipe.strategies(), recipe.minScores(),
                    recipe.sourceWeights(), recipe.taskCaps(), recipe.mergePerImage(), recipe.mergeMaxTurns(),
                    recipe.seed());
        }
    }

    @POST
    @Blocking
    public Response publish(ReleaseRequest request) {
        String name = request == null || request.name() == null ? "vlit" : request.name();
        String images = request == null || request.images() == null ? "bundle" : request.images();
        if (!List.of(ReleaseService.IMAGES_BUNDLE, ReleaseService.IMAGES_REFERENCE, ReleaseService.IMAGES_LINKS)
                .contains(images)) {
            return Response.status(400).entity(Map.of("error", "images must be bundle, reference or links, got "
                    + images)).build();
        }
        try {
            return Response.status(201).entity(releases.publish(name, request == null ? null : request.version(),
                    request == null ? null : request.formats(),
                    request == null ? ReleaseRecipe.all() : request.effectiveRecipe(), images))
                    .build();
        } catch (ReleaseException e) {
            return Response.status(e.status()).entity(Map.of("error", e.getMessage())).build();
        } catch (ReleaseValidationException e) {
            // Our own files failed a read-back check: a server fault, and nothing was published.
            return Response.status(500).entity(Map.of("error", "release not published: " + e.getMessage(),
                    "check", e.check())).build();
        } catch (IllegalStateException e) {
            // The object store refused a copy or a write: say which, the release was not recorded.
            return Response.status(503).entity(Map.of("error", "release not published: " + e.getMessage())).build();
        }
    }

    @GET
    @Blocking
    public List<ReleaseService.ReleaseInfo> list(@QueryParam("name") String name) throws Throwable {
        List<ReleaseEntity> all = VertxContextSupport.subscribeAndAwait(() -> repository.releases(name));
        return all.stream().map(r -> releases.info(r, null)).toList();
    }

    @GET
    @Path("/{name}/{version}")
    @Blocking
    public Response get(@PathParam("name") String name, @PathParam("version") String version) throws Throwable {
        ReleaseEntity release = VertxContextSupport.subscribeAndAwait(() -> repository.release(name, version));
        if (release == null) {
            return Response.status(404).entity(Map.of("error", "no release " + name + " " + version)).build();
        }
        return Response.ok(releases.info(release, null)).build();
    }
}
