package io.vlitforge.shared.events;

/**
 * One labelled box in COCO's convention: {@code [x, y, width, height]} in pixels from the top-left corner.
 * Conversions to other conventions (normalised corners for LLaVA prompts) happen where they are needed.
 */
public record BoundingBox(String category, double x, double y, double width, double height) {
}
