package io.vlitforge.publication.card;

import static io.vlitforge.publication.formats.TestReleases.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vlitforge.publication.formats.ReleaseContent;
import io.vlitforge.publication.formats.TestReleases;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Pure unit test of the dataset card: tables, credits and PNG charts made from the samples; nothing external. */
class DatasetCardTest {

    private static Sample sample(String id, byte[] img, String task, String dataset, String licence, int answerWords) {
        Lineage lineage = new Lineage(Strategy.AA, new Recipe("aa-coco-basic", "1", "h"), "t/0", 1,
                new Generator("template", null, null, null), "coco_xywh_pixels",
                new SourceRef(dataset, "train", id + "-src", id + ".jpg"), List.of());
        return new Sample(Sample.SCHEMA_VERSION, id, Ids.imageId(img), TestReleases.imageKey(img),
                List.of(Turn.human("<image>\nDescribe."), Turn.gpt("word ".repeat(answerWords).trim())), task, "c",
                new Licence(licence, "http://licence/" + licence.replace(' ', '-')), lineage, Usage.NONE, "t");
    }

    private final byte[] a = image(1, 100);
    private final byte[] b = image(2, 100);
    private final byte[] c = image(3, 100);

    private Map<String, byte[]> write() {
        List<Sample> samples = new ArrayList<>();
        samples.add(sample("s1", a, "brief_caption", "coco", "CC BY 2.0", 8));
        samples.add(sample("s2", a, "object_counting", "coco", "CC BY 2.0", 3));
        samples.add(sample("s3", b, "brief_caption", "vg", "CC BY 4.0", 60));
        samples.add(sample("s4", c, "detailed_description", "coco", "CC BY-NC 2.0", 150));
        Map<String, List<Verdict>> verdicts = new TreeMap<>();
        // Complexity judges a sample by itself; near-duplicate against the samples decided before it, so its
        // score depends on arrival order and stays out of the card.
        verdicts.put("s1", List.of(new Verdict("complexity", "1", 0.12, 0.1, Verdict.Outcome.ACCEPTED, null, null),
                new Verdict("near_duplicate", "1", 0.31, 0.8, Verdict.Outcome.ACCEPTED, null, null)));
        verdicts.put("s3", List.of(new Verdict("complexity", "1", 0.55, 0.1, Verdict.Outcome.ACCEPTED, null, null),
                new Verdict("near_duplicate", "1", 0.62, 0.8, Verdict.Outcome.ACCEPTED, null, null)));
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        DatasetCard.write(new ReleaseContent("demo", "v1", samples), List.of("llava", "parquet"), verdicts, sink);
        return sink.files;
    }

    @Test
    void theCardCountsTasksSourcesAndLengthsOfTheReleaseItself() {
        String readme = new String(write().get("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.startsWith("# demo\n"), readme);
        assertTrue(readme.contains("| brief_caption | 2 | 50.0% |"), readme);
        assertTrue(readme.contains("| coco | 3 | 75.0% |"), readme);
        assertTrue(readme.contains("| vg | 1 | 25.0% |"), readme);
        assertTrue(readme.contains("| 000-009 | 2 | 50.0% |"), "two answers under ten words: " + readme);
        assertTrue(readme.contains("| 100-199 | 1 | 25.0% |"), readme);
        assertTrue(readme.contains("datasets.load_dataset(\"parquet\""), "says how to load each asked format");
        assertTrue(readme.contains("| complexity | 2 | 0.335 |"), "mean quality score per filter: " + readme);
        assertFalse(readme.contains("| near_duplicate | 2 |"), "an order-dependent score is not in the card: " + readme);
        assertTrue(readme.contains("![tasks](charts/tasks.png)"));
    }

    @Test
    void theFunnelShowsWhatEachFilterRejectedBeforeTheReleaseChose() throws Exception {
        List<Sample> samples = List.of(sample("s1", a, "brief_caption", "coco", "CC BY 2.0", 8));
        TestReleases.MemorySink sink = new TestReleases.MemorySink();
        DatasetCard.write(new ReleaseContent("demo", "v1", samples), List.of("llava"), Map.of(),
                new DatasetCard.Funnel(3, Map.of("hallucination", 2L, "near_duplicate", 5L),
                        Map.of("hallucination.absent_object", 2L, "near_duplicate.similar", 5L)), sink);
        String readme = new String(sink.files.get("README.md"), StandardCharsets.UTF_8);
        assertTrue(readme.contains("10 generated, 7 rejected, 3 accepted; 1 of them chosen"), readme);
        assertTrue(readme.contains("| near_duplicate | 5 | 50.0% |"), readme);
        assertTrue(readme.contains("| hallucination.absent_object | 2 | 20.0% |"), readme);
        BufferedImage funnel = ImageIO.read(new ByteArrayInputStream(sink.files.get("charts/funnel.png")));
        assertTrue(funnel.getHeight() > 100, "generated, two filters, accepted and released: five bars");
    }

    @Test
    void creditsListEveryImageOnceUnderItsOwnLicence() {
        String credits = new String(write().get("CREDITS.md"), StandardCharsets.UTF_8);
        assertTrue(credits.contains("## CC BY 2.0 (http://licence/CC-BY-2.0)\n\n1 images"), credits);
        assertTrue(credits.contains("## CC BY-NC 2.0"), credits);
        assertEquals(1, credits.split(Ids.imageId(a), -1).length - 1, "an image with two samples is credited once");
        assertTrue(credits.contains("| `" + Ids.imageId(b) + "` | vg | train | s3-src | s3.jpg |"), credits);
    }

    @Test
    void chartsAreRealPngsOfTheDataAndRebuildIdentically() throws Exception {
        Map<String, byte[]> files = write();
        assertNull(files.get("charts/score-near_duplicate.png"), "no chart of an order-dependent score");
        for (String chart : List.of("tasks", "sources", "turns", "answer-lengths", "licences", "score-complexity")) {
            byte[] png = files.get("charts/" + chart + ".png");
            assertNotNull(png, chart);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(BarChart.WIDTH, image.getWidth());
        }
        // Three tasks, three bars: the chart grows with the data it shows.
        BufferedImage tasks = ImageIO.read(new ByteArrayInputStream(files.get("charts/tasks.png")));
        BufferedImage sources = ImageIO.read(new ByteArrayInputStream(files.get("charts/sources.png")));
        assertTrue(tasks.getHeight() > sources.getHeight(), "3 task bars are taller than 2 source bars");
        Map<String, byte[]> again = write();
        files.forEach((path, bytes) -> assertArrayEquals(bytes, again.get(path), path));
    }
}
