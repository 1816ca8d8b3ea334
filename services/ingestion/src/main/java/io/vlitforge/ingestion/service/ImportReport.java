package io.vlitforge.ingestion.service;

import java.util.List;
import java.util.Map;

/**
 * What one import (an ingest run) did, returned by the REST API and printed by {@code bin/vlit ingest}.
 * {@code ingested}: new image records; {@code merged}: source images joined to an image already recorded
 * (the same bytes from another source, or the COCO image a Visual Genome image names); {@code duplicates}:
 * source images this data set had already ({@code imagesAlreadyPresent}); {@code rejected}: refused images
 * plus refused annotations, by reason in {@code rejectedByReason}. {@code imagesNew} = ingested + merged
 * (new to the data set). {@code imagesRestored}: imported before, but their bytes were missing from the
 * object store, so they were stored and announced again. {@code boxesClipped}: boxes cut to their image,
 * each with a {@code box.clipped} record.
 */
public record ImportReport(
        String runId,
        String dataset,
        String format,
        String status,
        int imagesSeen,
        int imagesNew,
        int imagesAlreadyPresent,
        int imagesRestored,
        int imagesRejected,
        int annotationsRejected,
        int captions,
        int boxes,
        int annotations,
        int boxesClipped,
        int emitted,
        int ingested,
        int merged,
        int duplicates,
        int rejected,
        Map<String, Integer> rejectedByReason,
        List<Rejection> rejections) {

    /** One refused item; the full list is stored, the report shows the first ones. */
    public record Rejection(String item, String reason, String detail) {
    }
}
