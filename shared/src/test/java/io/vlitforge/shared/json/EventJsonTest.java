package io.vlitforge.shared.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure unit test of the event serde and its schema-version check: nothing external. */
class EventJsonTest {

    static Sample sample() {
        Lineage lineage = new Lineage(Strategy.AA, new Recipe("r", "1", "abc"), "t/0", 7,
                new Generator("template", null, null, null), "coco_xywh_pixels",
                new SourceRef("coco", "train2017", "42", "x.jpg"), List.of());
        return new Sample(Sample.SCHEMA_VERSION, "s1", "img", "images/aa/bb/img.jpeg",
                List.of(Turn.human("<image>\nDescribe."), Turn.gpt("A cat.")), "brief_caption", "caption",
                new Licence("CC BY 2.0", "http://x"), lineage, Usage.NONE, "2026-01-01T00:00:00Z");
    }

    @Test
    void everyEventRoundTrips() {
        ImageIngested image = new ImageIngested(1, "img", "images/aa/bb/img.jpeg", "jpeg", 640, 480,
                List.of("a cat"), List.of(new BoundingBox("cat", 1, 2, 3, 4)), new Licence("n", "u"),
                new SourceRef("coco", "val", "1", "f.jpg"), "run");
        assertEquals(image, EventJson.read(EventJson.write(image), ImageIngested.class));

        Sample sample = sample().withStep(new LineageStep("filtering", "format", "1", "t"));
        assertEquals(sample, EventJson.read(EventJson.write(sample), Sample.class));
        assertEquals(1, sample.lineage().steps().size());

        FilteredSample filtered = new FilteredSample(1, sample, Verdict.Outcome.REJECTED,
                List.of(new Verdict("format", "1", 0, 1, Verdict.Outcome.REJECTED, "format.empty_turn", "turn 1")));
        assertEquals(filtered, EventJson.read(EventJson.write(filtered), FilteredSample.class));
    }

    @Test
    void unknownFieldsFromNewerProducersAreIgnored() {
        String json = EventJson.write(sample()).replaceFirst("\\{", "{\"addedLater\":true,");
        assertEquals("s1", EventJson.read(json, Sample.class).id());
    }

    @Test
    void newerSchemaVersionsAndGarbageAreRefusedWithAReason() {
        String newer = EventJson.write(sample()).replace("\"schemaVersion\":1", "\"schemaVersion\":99");
        EventFormatException e = assertThrows(EventFormatException.class, () -> EventJson.read(newer, Sample.class));
        assertTrue(e.getMessage().contains("schemaVersion 99"), e.getMessage());

        assertThrows(EventFormatException.class, () -> EventJson.read("{not json", Sample.class));
        assertThrows(EventFormatException.class, () -> EventJson.read("", Sample.class));
        assertThrows(EventFormatException.class, () -> EventJson.read("{\"id\":\"x\"}", Sample.class),
                "a record without schemaVersion is refused");
    }
}
