package io.vlitforge.shared.events;

/** Where an image or annotation came from: the data set, its split and the id it has there. */
public record SourceRef(String dataset, String split, String sourceId, String fileName) {
}
