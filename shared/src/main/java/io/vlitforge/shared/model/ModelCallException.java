package io.vlitforge.shared.model;

/**
 * A model call that failed. {@code retryable} calls (429, 5xx, timeouts, a body cut short or not JSON)
 * are retried with backoff; the others (400, 401, 404: a request the endpoint will never accept) fail
 * at once, because repeating them only costs money.
 */
public class ModelCallException extends RuntimeException {

    private final int status;
    private final boolean retryable;
    private final long retryAfterMillis;

    public ModelCallException(String message, int status, boolean retryable, long retryAfterMillis) {
        super(message);
        this.status = status;
        this.retryable = retryable;
        this.retryAfterMillis = retryAfterMillis;
    }

    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** What the endpoint's Retry-After header asked for, or -1. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
