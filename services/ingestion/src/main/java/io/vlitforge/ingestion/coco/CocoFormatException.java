package io.vlitforge.ingestion.coco;

/** An annotation folder or file that cannot be read as COCO at all. */
public class CocoFormatException extends RuntimeException {

    public CocoFormatException(String message) {
        super(message);
    }
}
