package io.vlitforge.shared.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vlitforge.shared.events.DatasetPublished;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.VersionedEvent;
import java.util.Map;

/**
 * JSON serde for the event contracts. Unknown fields are ignored (a newer producer may add some), but a
 * record written with a newer schema version than this code knows is refused: its meaning may have
 * changed, so it goes to the dead-letter topic instead of being half-understood.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private static final Map<Class<?>, Integer> KNOWN_VERSIONS = Map.of(
            ImageIngested.class, ImageIngested.SCHEMA_VERSION,
            Sample.class, Sample.SCHEMA_VERSION,
            FilteredSample.class, FilteredSample.SCHEMA_VERSION,
            DatasetPublished.class, DatasetPublished.SCHEMA_VERSION);

    private EventJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses an event and checks its schema version; throws {@link EventFormatException} on any problem. */
    public static <T extends VersionedEvent> T read(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new EventFormatException("empty " + type.getSimpleName() + " record");
        }
        T event;
        try {
            event = MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new EventFormatException("malformed " + type.getSimpleName() + " record: "
                    + e.getOriginalMessage(), e);
        }
        int known = KNOWN_VERSIONS.getOrDefault(type, 1);
        if (event.schemaVersion() < 1 || event.schemaVersion() > known) {
            throw new EventFormatException(type.getSimpleName() + " schemaVersion " + event.schemaVersion()
                    + " is not supported (this build reads 1.." + known + ")");
        }
        return event;
    }
}
