package io.vlitforge.publication.formats;

/**
 * One on-disk layout a trainer loads (LLaVA JSON, LLaMA-Factory ShareGPT, WebDataset, ...). Each format
 * is its own small class so that adding one touches nothing else; every implementation must be a pure
 * function of the release content (samples come in id order; no clocks, no hash-map iteration), which is
 * what makes a rebuilt release byte-identical.
 */
public interface ReleaseFormat {

    /** The name callers put in a release request's {@code formats}. */
    String name();

    void write(ReleaseContent release, ImageSource images, FileSink out);
}
