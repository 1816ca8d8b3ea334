package io.vlitforge.shared.events;

/** The recipe a sample was made by: its id, version and the hash of its full parameter set. */
public record Recipe(String id, String version, String hash) {
}
