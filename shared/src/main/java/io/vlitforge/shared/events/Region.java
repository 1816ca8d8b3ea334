package io.vlitforge.shared.events;

/** A described region (Visual Genome region descriptions): a phrase about the pixels inside a box. */
public record Region(String description, BoundingBox box, String sourceId) {
}
