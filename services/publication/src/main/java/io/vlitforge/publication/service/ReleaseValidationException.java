package io.vlitforge.publication.service;

/**
 * A release whose written files failed a check when read back; {@link #check()} names the check
 * (e.g. {@code sharegpt.image_tokens}) so that the answer says what a trainer would have tripped over.
 */
public class ReleaseValidationException extends RuntimeException {

    private final String check;

    public ReleaseValidationException(String check, String detail) {
        super("check " + check + " failed: " + detail);
        this.check = check;
    }

    public String check() {
        return check;
    }
}
