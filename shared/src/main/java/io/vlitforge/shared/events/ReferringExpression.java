package io.vlitforge.shared.events;

/**
 * A phrase that singles out one object (RefCOCO/RefCOCO+/RefCOCOg): the object's box, the expression,
 * the collection ({@code refcoco}, {@code refcoco+}, {@code refcocog}) and its split.
 */
public record ReferringExpression(String text, BoundingBox box, String collection, String split, String sourceId) {
}
