package io.vlitforge.shared.events;

/**
 * A scene-graph edge (Visual Genome relationships): {@code subject predicate object}, both ends naming a
 * box of the same image by its {@link BoundingBox#objectId()}.
 */
public record Relation(String subjectId, String predicate, String objectId, String sourceId) {
}
