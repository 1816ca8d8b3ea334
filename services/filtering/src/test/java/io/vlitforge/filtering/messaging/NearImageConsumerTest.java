package io.vlitforge.filtering.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.images.PerceptualHash;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.Fixtures;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Near-duplicate pictures through the real Kafka broker and PostgreSQL, with real images: two different
 * COCO fixture pictures and a copy of the first one, resized to half and re-encoded as JPEG in the test (so a
 * different image id). Their dHash is computed by ingestion's own PerceptualHash; the copy's samples must be
 * rejected naming the original, the other picture's accepted, and sending the same data again adds nothing.
 */
@QuarkusTest
class NearImageConsumerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    private KafkaCompanion kafka;
    private ConsumerTask<String, String> accepted;
    private ConsumerTask<String, String> rejected;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrap);
        accepted = kafka.consumeStrings().fromTopics(prefix + "samples.accepted");
        rejected = kafka.consumeStrings().fromTopics(prefix + "samples.rejected");
    }

    @AfterEach
    void close() {
        accepted.stop();
        rejected.stop();
        kafka.close();
    }

    /** A real picture: its id (sha256 of its bytes, as ingestion makes it) and its dHash. */
    private record Picture(String id, String hash) {
        static Picture of(byte[] bytes) throws Exception {
            return new Picture(Ids.imageId(bytes), PerceptualHash.dHash(ImageIO.read(new ByteArrayInputStream(bytes))));
        }
    }

    @Test
    void aResizedReEncodedCopyIsRejectedNamingTheOriginalAndAnotherPictureIsAccepted() throws Exception {
        List<Path> images;
        try (Stream<Path> files = Files.list(Fixtures.cocoMini().resolve("images"))) {
            images = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        byte[] originalBytes = Files.readAllBytes(images.get(0));
        Picture original = Picture.of(originalBytes);
        Picture copy = Picture.of(halfSizeJpeg(originalBytes));
        Picture other = null;
        for (Path path : images.subList(1, images.size())) {
            Picture p = Picture.of(Files.readAllBytes(path));
            if (PerceptualHash.distance(p.hash(), original.hash()) > 12 && PerceptualHash.distance(p.hash(), copy.hash()) > 12) {
                other = p;
                break;
            }
        }
        assertTrue(other != null, "some fixture picture is far from the first one");
        int copyDistance = PerceptualHash.distance(original.hash(), copy.hash());
        assertTrue(!copy.id().equals(original.id()), "the copy is another image");
        assertTrue(copyDistance <= 4, "the copy's hash is " + copyDistance + " bits from the original's");

        Sample first = sample(original, "first");
        send(first);
        assertEquals(Verdict.Outcome.ACCEPTED, nearImage(awaitOutcome(accepted, first.id())).outcome());
        Sample copied = sample(copy, "copied");
        Sample another = sample(other, "another");
        send(copied);
        send(another);

        FilteredSample rejectedCopy = awaitOutcome(rejected, copied.id());
        Verdict verdict = nearImage(rejectedCopy);
        assertEquals(Verdict.Outcome.REJECTED, rejectedCopy.outcome());
        assertEquals("duplicate.near_image", verdict.reason());
        assertEquals(copyDistance, (int) verdict.score());
        assertTrue(verdict.detail().endsWith(original.id()) && verdict.detail().contains(copyDistance + " of 64"),
                verdict.detail());
        assertEquals("duplicate.near_image", stored("reason", copied.id()));
        FilteredSample acceptedOther = awaitOutcome(accepted, another.id());
        assertEquals(Verdict.Outcome.ACCEPTED, nearImage(acceptedOther).outcome());
        assertEquals(List.of(original.id(), other.id()).stream().sorted().toList(),
                indexed(original.id(), copy.id(), other.id()));

        // The same data again adds nothing: the samples' stored verdicts come back, and new samples of the three
        // pictures get the same answers without touching the index.
        send(first);
        send(copied);
        send(another);
        Sample firstAgain = sample(original, "again");
        Sample copiedAgain = sample(copy, "again");
        Sample anotherAgain = sample(other, "again");
        send(firstAgain);
        send(copiedAgain);
        send(anotherAgain);
        awaitCount(accepted, first.id(), 2);
        awaitCount(rejected, copied.id(), 2);
        awaitCount(accepted, another.id(), 2);
        assertEquals(Verdict.Outcome.ACCEPTED, awaitOutcome(accepted, firstAgain.id()).outcome());
        assertEquals(Verdict.Outcome.ACCEPTED, awaitOutcome(accepted, anotherAgain.id()).outcome());
        FilteredSample copyAgainOut = awaitOutcome(rejected, copiedAgain.id());
        assertEquals("duplicate.near_image", nearImage(copyAgainOut).reason());
        assertTrue(nearImage(copyAgainOut).detail().endsWith(original.id()));
        assertEquals("1", stored("count(*)::text", copied.id()), "one verdict row per sample");
        assertEquals(List.of(original.id(), other.id()).stream().sorted().toList(),
                indexed(original.id(), copy.id(), other.id()));
        assertTrue(accepted.getRecords().stream().noneMatch(r -> copied.id().equals(r.key())
                || copiedAgain.id().equals(r.key())));
    }

    @Test
    void aSampleWithoutAPerceptualHashPassesAndTheVerdictSaysSo() throws Exception {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        String text = "Seen here: " + words();
        Sample unhashed = new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt(text)), "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", new GroundTruth(List.of(text), Map.of()));
        send(unhashed);
        Verdict verdict = nearImage(awaitOutcome(accepted, unhashed.id()));
        assertEquals(Verdict.Outcome.ACCEPTED, verdict.outcome());
        assertEquals("no perceptual hash: not checked", verdict.detail());
        assertEquals(List.of(), indexed(imageId), "an image without a hash is not indexed");
    }

    private static byte[] halfSizeJpeg(byte[] bytes) throws Exception {
        BufferedImage source = ImageIO.read(new ByteArrayInputStream(bytes));
        BufferedImage half = new BufferedImage(source.getWidth() / 2, source.getHeight() / 2,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = half.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, 0, 0, half.getWidth(), half.getHeight(), null);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(half, "jpeg", out));
        return out.toByteArray();
    }

    /** Words that differ every run, so no earlier run's sample is an exact or near-duplicate text. */
    private static String words() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            out.add(UUID.randomUUID().toString().substring(0, 8));
        }
        return String.join(" ", out) + ".";
    }

    private static Sample sample(Picture picture, String label) {
        String text = "Seen here, " + label + ": " + words();
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), picture.id(),
                "images/aa/bb/" + picture.id() + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt(text)), "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", new GroundTruth(List.of(text), Map.of(), picture.hash()));
    }

    private static Verdict nearImage(FilteredSample out) {
        return out.verdicts().stream().filter(v -> v.filter().equals("near_image")).findFirst().orElseThrow();
    }

    private void send(Sample sample) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.generated", sample.id(),
                EventJson.write(sample))).awaitCompletion(java.time.Duration.ofSeconds(30));
    }

    private static FilteredSample awaitOutcome(ConsumerTask<String, String> task, String sampleId)
            throws Exception {
        return Await.value("a verdict for " + sampleId + " on " + task, () -> task.getRecords().stream()
                .filter(r -> sampleId.equals(r.key())).map(r -> EventJson.read(r.value(), FilteredSample.class))
                .findFirst());
    }

    private static void awaitCount(ConsumerTask<String, String> task, String key, int count) throws Exception {
        Await.until(key + " answered " + count + " times",
                () -> task.getRecords().stream().filter(r -> key.equals(r.key())).count() >= count);
    }

    private String stored(String column, String sampleId) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select " + column + " from filtering.verdicts where sample_id = ?")) {
            st.setString(1, sampleId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private List<String> indexed(String... imageIds) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select image_id from filtering.image_hashes where image_id = any(?) order by image_id")) {
            st.setArray(1, c.createArrayOf("varchar", imageIds));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
