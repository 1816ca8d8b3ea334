package io.vlitforge.ingestion.rest;

import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.repository.ImageRecordRepository;
import io.vlitforge.shared.events.ImageIngested;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * An image's whole record, merged from every source that named it: the same shape as the
 * {@code images.ingested} event (without a run id), so what REST shows is what generation gets.
 */
@Path("/images")
@Produces(MediaType.APPLICATION_JSON)
public class ImageResource {

    private final ImageRecordRepository records;

    public ImageResource(ImageRecordRepository records) {
        this.records = records;
    }

    @GET
    @Path("/{imageId}")
    public Uni<ImageIngested> image(@PathParam("imageId") String imageId) {
        if (!imageId.matches("[0-9a-f]{64}")) {
            return Uni.createFrom().failure(new NotFoundException("no image " + imageId));
        }
        return records.load(List.of(imageId)).map(found -> found.get(imageId)).onItem().ifNull()
                .failWith(() -> new NotFoundException("no image " + imageId));
    }
}
