package io.vlitforge.publication.formats;

/**
 * Reads an image's bytes by its object key. Only the formats that embed images (WebDataset) need it;
 * kept as an interface so that those writers are testable without an object store.
 */
@FunctionalInterface
public interface ImageSource {

    byte[] read(String imageKey);
}
