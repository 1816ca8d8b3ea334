package io.vlitforge.shared.json;

/** A record on a topic that cannot be read as the event it claims to be. */
public class EventFormatException extends RuntimeException {

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
