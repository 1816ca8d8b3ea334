package io.vlitforge.ingestion.service;

import java.util.List;

/**
 * What one import did, returned by the REST API and printed by {@code bin/vlit ingest}.
 * {@code imagesRestored}: imported before, but their bytes were missing from the object store, so they
 * were stored and announced again.
 */
public record ImportReport(
        String runId,
        String dataset,
        String status,
        int imagesSeen,
        int imagesNew,
        int imagesAlreadyPresent,
        int imagesRestored,
        int imagesRejected,
        int annotationsRejected,
        int captions,
        int boxes,
        int emitted,
        List<Rejection> rejections) {

    /** One refused item; the full list is stored, the report shows the first ones. */
    public record Rejection(String item, String reason, String detail) {
    }
}
