package io.vlitforge.publication.formats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration every release file is written with, so that all formats (and the manifest)
 * indent the same way and a change of style cannot make two writers disagree.
 */
public final class ReleaseJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    public static final String CONTENT_TYPE = "application/json";

    private ReleaseJson() {
    }

    /** How often {@code token} occurs in {@code text}; trainers fail when this disagrees with the image count. */
    public static int occurrences(String text, String token) {
        int count = 0;
        for (int at = text.indexOf(token); at >= 0; at = text.indexOf(token, at + token.length())) {
            count++;
        }
        return count;
    }
}
