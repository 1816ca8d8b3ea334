package io.vlitforge.filtering.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filtering service in-process against the real Kafka broker and PostgreSQL started by
 * {@code bin/vlit test}; nothing is stubbed. Topics carry a per-run prefix.
 */
@QuarkusTest
class SampleGeneratedConsumerTest {

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

    static Sample sample(String imageId, List<Turn> turns) {
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", turns, "brief_caption", "caption",
                new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.AA, new Recipe("test", "1", "h"), "t/0", 1, null, null, null, List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z");
    }

    @Test
    void goodSamplesAreAcceptedAndBrokenOrDuplicateOnesRejectedWithTheirReason() throws Exception {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        Sample good = sample(imageId, List.of(Turn.human("<image>\nDescribe the image."), Turn.gpt("A cat.")));
        Sample sameContent = sample(imageId, List.of(Turn.human("<image>\ndescribe  the image."), Turn.gpt("a cat.")));
        Sample twoTokens = sample(imageId, List.of(Turn.human("<image>\nDescribe <image>."), Turn.gpt("A dog.")));
        Sample wrongOrder = sample(imageId, List.of(Turn.gpt("<image>\nHello."), Turn.human("A dog.")));

        send(good);
        awaitOutcome(accepted, good.id());
        send(sameContent);
        send(twoTokens);
        send(wrongOrder);

        assertEquals("duplicate.exact", reasonOf(awaitOutcome(rejected, sameContent.id())));
        assertEquals("format.image_token_count", reasonOf(awaitOutcome(rejected, twoTokens.id())));
        assertEquals("format.role_order", reasonOf(awaitOutcome(rejected, wrongOrder.id())));
        FilteredSample acceptedGood = awaitOutcome(accepted, good.id());
        assertEquals(Verdict.Outcome.ACCEPTED, acceptedGood.outcome());
        assertEquals("filtering", acceptedGood.sample().lineage().steps().get(0).stage(), "filtering adds its lineage step");

        assertEquals("ACCEPTED", stored("outcome", good.id()));
        assertEquals("duplicate.exact", stored("reason", sameContent.id()));
        assertTrue(stored("detail", sameContent.id()).contains(good.id()), "the duplicate names the original");
        assertEquals("format.role_order", stored("reason", wrongOrder.id()));
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("vlit_filtering_verdicts_total{") && metrics.contains("reason=\"duplicate.exact\""),
                "verdicts are exported by outcome and reason");
    }

    @Test
    void aRedeliveredSampleGetsItsStoredVerdictAgain() throws Exception {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        Sample good = sample(imageId, List.of(Turn.human("<image>\nWhat is shown?"), Turn.gpt("Two birds.")));
        send(good);
        awaitOutcome(accepted, good.id());
        send(good);
        long deadline = System.currentTimeMillis() + 30_000;
        while (accepted.getRecords().stream().filter(r -> good.id().equals(r.key())).count() < 2) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the redelivered sample was not answered");
            }
            Thread.sleep(100);
        }
        assertTrue(rejected.getRecords().stream().noneMatch(r -> good.id().equals(r.key())),
                "a redelivery is not its own duplicate");
        assertEquals("1", stored("count(*)::text", good.id()));
    }

    private void send(Sample sample) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.generated", sample.id(),
                EventJson.write(sample))).awaitCompletion(Duration.ofSeconds(30));
    }

    private static String reasonOf(FilteredSample filtered) {
        return filtered.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED).map(Verdict::reason)
                .findFirst().orElse("none");
    }

    private static FilteredSample awaitOutcome(ConsumerTask<String, String> task, String sampleId)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            Optional<FilteredSample> found = task.getRecords().stream().filter(r -> sampleId.equals(r.key()))
                    .map(r -> EventJson.read(r.value(), FilteredSample.class)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no verdict for " + sampleId + " on " + task);
            }
            Thread.sleep(100);
        }
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
}
