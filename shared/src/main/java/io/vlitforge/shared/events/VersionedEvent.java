package io.vlitforge.shared.events;

/** Every event on a topic says which version of its contract it was written with. */
public interface VersionedEvent {

    int schemaVersion();
}
