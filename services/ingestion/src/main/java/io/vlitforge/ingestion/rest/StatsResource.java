package io.vlitforge.ingestion.rest;

import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.repository.IngestionRepository;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Counts read by {@code bin/vlit status} and the demo's wait for a quiet pipeline. */
@Path("/stats")
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {

    private final IngestionRepository repository;

    public StatsResource(IngestionRepository repository) {
        this.repository = repository;
    }

    @GET
    public Uni<IngestionRepository.Stats> stats() {
        return repository.stats();
    }
}
