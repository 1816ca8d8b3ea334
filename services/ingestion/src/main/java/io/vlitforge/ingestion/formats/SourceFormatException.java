package io.vlitforge.ingestion.formats;

/**
 * A source that cannot be read at all (not found, not the format it was named as, not JSON): the import
 * is refused as a bad request. Damage to single entries is a {@link ReadResult.Problem} instead.
 */
public class SourceFormatException extends RuntimeException {

    public SourceFormatException(String message) {
        super(message);
    }

    public SourceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
