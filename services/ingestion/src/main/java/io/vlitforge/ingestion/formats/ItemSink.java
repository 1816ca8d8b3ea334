package io.vlitforge.ingestion.formats;

/**
 * Where a streaming reader hands each image over as soon as it is complete, and each unusable entry as
 * soon as it is found, so a source of any size never has to be held in memory as a whole. The ingest
 * service is one (it stores and records items in batches while the reader goes on); {@link ReadResult} is
 * another (it collects everything, for tests and small sources).
 */
public interface ItemSink {

    /** One image with all of its annotations from this source; the reader does not touch it afterwards. */
    void item(SourceItem item);

    /** An entry of the source that was refused, with a stable reason code. */
    void problem(String item, String reason, String detail);
}
