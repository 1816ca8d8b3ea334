package io.vlitforge.shared;

/**
 * Kafka topic names, one constant per event. Channel names in every service's configuration are the
 * same strings, so "where is X consumed" is a search for the constant.
 */
public final class Topics {

    /** Requests to ingest a source or an item, fed by other systems (consumed by ingestion). */
    public static final String INGEST_REQUESTS = "ingest.requests";
    public static final String IMAGES_INGESTED = "images.ingested";
    public static final String SAMPLES_GENERATED = "samples.generated";
    /**
     * A vision model's description of an image, drafted by generation's describe step and repaired by its
     * repair step (MiniGPT-4 stage 2), keyed by image id. Internal to generation: the two steps deploy and
     * scale apart.
     */
    public static final String DESCRIPTIONS_DRAFTED = "descriptions.drafted";
    public static final String SAMPLES_ACCEPTED = "samples.accepted";
    public static final String SAMPLES_REJECTED = "samples.rejected";
    public static final String DATASETS_PUBLISHED = "datasets.published";

    /** Suffix of the dead-letter topic that every inbound channel has. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
