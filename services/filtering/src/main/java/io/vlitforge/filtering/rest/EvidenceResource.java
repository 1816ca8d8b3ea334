package io.vlitforge.filtering.rest;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.repository.EvidenceRepository;
import io.vlitforge.filtering.repository.VerdictRepository;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The evidence behind every decision: a sample's stored verdicts and full lineage, the rejections by
 * reason and by filter, a run's funnel, and the filter chain with the parameters that decided them.
 * Rejected samples are never deleted, so these can always
 * answer why something is not in a release.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class EvidenceResource {

    static final int MAX_PAGE_SIZE = 500;

    private final VerdictRepository repository;
    private final EvidenceRepository evidence;
    private final FilterChain chain;

    public EvidenceResource(VerdictRepository repository, EvidenceRepository evidence, FilterChain chain) {
        this.repository = repository;
        this.evidence = evidence;
        this.chain = chain;
    }

    @GET
    @Path("samples/{id}/lineage")
    public Uni<EvidenceRepository.SampleLineage> lineage(@PathParam("id") String sampleId) {
        return evidence.lineageOf(sampleId).map(found -> {
            if (found == null) {
                throw new NotFoundException("no verdict for sample " + sampleId);
            }
            return found;
        });
    }

    /** The funnel of one run: {@code run} is a chain version (default: the chain now in force) or {@code *}. */
    @GET
    @Path("funnel")
    public Uni<EvidenceRepository.Funnel> funnel(@QueryParam("run") String run) {
        return evidence.funnel(run == null || run.isBlank() ? chain.version() : run);
    }

    /** Rejections counted by filter and reason over every verdict of a run (default: every run). */
    @GET
    @Path("rejections/by-filter")
    public Uni<List<EvidenceRepository.RejectionCount>> rejectionsByFilter(@QueryParam("run") String run) {
        return evidence.rejectionsByFilter(run == null || run.isBlank() ? "*" : run);
    }

    @GET
    @Path("samples/{id}/verdicts")
    public Uni<VerdictRepository.SampleVerdicts> verdicts(@PathParam("id") String sampleId) {
        return repository.verdictsOf(sampleId).map(found -> {
            if (found == null) {
                throw new NotFoundException("no verdict for sample " + sampleId);
            }
            return found;
        });
    }

    @GET
    @Path("rejections")
    public Uni<VerdictRepository.RejectionPage> rejections(@QueryParam("reason") String reason,
            @QueryParam("filter") String filter, @QueryParam("page") @DefaultValue("0") int page,
            @QueryParam("size") @DefaultValue("100") int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new BadRequestException("page must be >= 0 and size between 1 and " + MAX_PAGE_SIZE);
        }
        String r = reason == null || reason.isBlank() ? null : reason;
        if (filter != null && !filter.isBlank()) {
            return evidence.rejectedBy(filter, r, page, size);
        }
        return repository.rejections(r, page, size);
    }

    @GET
    @Path("filters")
    public FilterChainView filters() {
        return new FilterChainView(chain.stepName(), chain.version(), chain.describe());
    }

    /** The chain as configured: its lineage step name, its version hash and each filter. */
    public record FilterChainView(String step, String version, List<FilterChain.FilterDescription> filters) {
    }
}
