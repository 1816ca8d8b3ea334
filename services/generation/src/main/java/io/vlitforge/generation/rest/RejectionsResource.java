package io.vlitforge.generation.rest;

import io.smallrye.mutiny.Uni;
import io.vlitforge.generation.repository.SelfInstructRepository;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;

/**
 * The self-instruct rejection records: replies that could not be parsed (with the raw reply), calls that
 * failed after every retry, descriptions the rule filters dropped. They belong to generation, not to
 * {@code samples.rejected}, whose verdicts the filtering service owns: these never became samples.
 */
@Path("/rejections")
@Produces(MediaType.APPLICATION_JSON)
public class RejectionsResource {

    private final SelfInstructRepository repository;

    public RejectionsResource(SelfInstructRepository repository) {
        this.repository = repository;
    }

    @GET
    public Uni<List<SelfInstructRepository.Rejection>> rejections(@QueryParam("step") String step,
            @QueryParam("imageId") String imageId, @QueryParam("limit") @DefaultValue("100") int limit) {
        return repository.rejections(Optional.ofNullable(step), Optional.ofNullable(imageId),
                Math.max(1, Math.min(1000, limit)));
    }
}
