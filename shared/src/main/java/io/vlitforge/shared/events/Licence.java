package io.vlitforge.shared.events;

/** The licence an image was published under, carried unchanged from its source to every release. */
public record Licence(String name, String url) {
}
