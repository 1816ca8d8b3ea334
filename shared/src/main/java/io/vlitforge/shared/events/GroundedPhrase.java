package io.vlitforge.shared.events;

import java.util.List;

/**
 * A phrase of one caption linked to an entity (Flickr30k Entities): {@code captionIndex} points into the
 * image's captions, {@code firstWord} is the phrase's word offset there, {@code entityId} matches the
 * {@link BoundingBox#objectId()} of its boxes (if the source gives boxes), {@code types} are the entity
 * types (people, clothing, bodyparts, animals, vehicles, instruments, scene, other).
 */
public record GroundedPhrase(int captionIndex, int firstWord, String phrase, String entityId, List<String> types) {

    public GroundedPhrase {
        types = types == null ? List.of() : List.copyOf(types);
    }
}
