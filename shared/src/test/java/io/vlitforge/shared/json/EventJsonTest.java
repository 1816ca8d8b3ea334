package io.vlitforge.shared.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImportedConversation;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.ReferringExpression;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
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
    void theWholeAnnotationRecordRoundTripsAndVersionOneRecordsStillRead() {
        BoundingBox dog = new BoundingBox("dog", 10, 20, 30, 40, "1058", List.of("brown", "small"), "vg-xywh");
        ImageIngested image = new ImageIngested(ImageIngested.SCHEMA_VERSION, "img", "images/aa/bb/img.jpeg", "jpeg",
                640, 480, List.of("a dog on grass"), List.of(dog), new Licence("CC BY 4.0", "u"),
                new SourceRef("vg", "v1.4", "1", "1.jpg"), "run",
                List.of(new Region("a brown dog", dog, "r1")), List.of(new Relation("1058", "on", "1060", "rel1")),
                List.of(new QaPair("What color is the dog?", "brown", List.of("brown", "tan"), null, "other",
                        List.of(), null, "vqav2", "q1")),
                List.of(new ReferringExpression("dog on the left", dog, "refcoco", "testA", "ref1")),
                List.of(new GroundedPhrase(0, 0, "a dog", "e1", List.of("animals"))),
                List.of(new ImportedConversation("llava", "x1", "conv",
                        List.of(Turn.human("<image>\nWhat?"), Turn.gpt("A dog.")))),
                List.of(new SourceRef("vg", "v1.4", "1", "1.jpg"), new SourceRef("coco", "train2017", "9", "9.jpg")),
                "photo by someone", "8f0e1c2d3b4a5968");
        assertEquals(image, EventJson.read(EventJson.write(image), ImageIngested.class));
        assertEquals(java.util.Map.of("dog", 1), image.groundTruth().objectCounts());
        assertEquals("8f0e1c2d3b4a5968", image.groundTruth().perceptualHash(),
                "the image's perceptual hash travels to the samples made from it");

        String versionOne = """
                {"schemaVersion":1,"imageId":"img","imageKey":"k","format":"jpeg","width":2,"height":3,
                 "captions":["c"],"boxes":[{"category":"cat","x":1,"y":2,"width":3,"height":4}],
                 "source":{"dataset":"coco","split":"val","sourceId":"1","fileName":"f.jpg"},"ingestRunId":"r"}""";
        ImageIngested old = EventJson.read(versionOne, ImageIngested.class);
        assertEquals(List.of(new BoundingBox("cat", 1, 2, 3, 4)), old.boxes());
        assertEquals(List.of(old.source()), old.sources(), "the single source is the list of sources");
        assertTrue(old.questions().isEmpty() && old.regions().isEmpty());
    }

    @Test
    void groundTruthCarriesThePerceptualHashAndOlderGroundTruthReadsWithoutOne() {
        Sample base = sample();
        Sample withTruth = new Sample(base.schemaVersion(), base.id(), base.imageId(), base.imageKey(),
                base.conversations(), base.task(), base.category(), base.licence(), base.lineage(), base.usage(),
                base.createdAt(), new GroundTruth(List.of("a cat"), java.util.Map.of("cat", 1), "00ff00ff00ff00ff"));
        String json = EventJson.write(withTruth);
        assertTrue(json.contains("\"perceptualHash\":\"00ff00ff00ff00ff\""), json);
        assertEquals(withTruth, EventJson.read(json, Sample.class));

        String older = json.replace(",\"perceptualHash\":\"00ff00ff00ff00ff\"", "");
        assertTrue(!older.contains("perceptualHash"), older);
        GroundTruth read = EventJson.read(older, Sample.class).groundTruth();
        assertEquals(java.util.Map.of("cat", 1), read.objectCounts());
        assertEquals(null, read.perceptualHash(), "a sample from before the hash was carried has none");
        assertEquals(new GroundTruth(List.of("a cat"), java.util.Map.of("cat", 1)), read);

        ImageIngested unhashed = new ImageIngested(1, "img", "k", "jpeg", 2, 3, List.of("c"), List.of(), null, null,
                "r");
        assertEquals(null, unhashed.groundTruth().perceptualHash());
    }

    @Test
    void unknownFieldsFromNewerProducersAreIgnored() {
        String json = EventJson.write(sample()).replaceFirst("\\{", "{\"addedLater\":true,");
        assertEquals("s1", EventJson.read(json, Sample.class).id());
    }

    @Test
    void newerSchemaVersionsAndGarbageAreRefusedWithAReason() {
        String newer = EventJson.write(sample()).replaceFirst("\"schemaVersion\":\\d+", "\"schemaVersion\":99");
        EventFormatException e = assertThrows(EventFormatException.class, () -> EventJson.read(newer, Sample.class));
        assertTrue(e.getMessage().contains("schemaVersion 99"), e.getMessage());

        assertThrows(EventFormatException.class, () -> EventJson.read("{not json", Sample.class));
        assertThrows(EventFormatException.class, () -> EventJson.read("", Sample.class));
        assertThrows(EventFormatException.class, () -> EventJson.read("{\"id\":\"x\"}", Sample.class),
                "a record without schemaVersion is refused");
    }
}
