package io.vlitforge.publication.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.MinioClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Fixtures;
import io.vlitforge.shared.testing.TestObjectStore;
import io.vlitforge.shared.testing.Await;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Dead-letter replay in-process against the real Kafka broker, PostgreSQL and S3: a sample that failed earlier
 * (put into the dead-letter topic as the consumer would) is sent back by {@code POST /dead-letters/replay}
 * and stored; nothing is stubbed.
 */
@QuarkusTest
class DeadLetterReplayTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;


    @Test
    void aDeadLetterIsSentBackToItsTopicAndStoredOnceTheCauseIsFixed() throws Exception {
        // A real image in the store: the replayed sample joins the accepted set that other tests release.
        TestObjectStore store = TestObjectStore.ofService();
        MinioClient s3 = store.client();
        TestObjectStore.StoredImage stored = store.putJpeg(Fixtures.cocoMini().resolve("images/000000030752.jpg"));
        String imageId = stored.imageId();
        String imageKey = stored.key();

        String id = UUID.randomUUID().toString().replace("-", "");
        Sample sample = new Sample(Sample.SCHEMA_VERSION, id, imageId, imageKey,
                List.of(Turn.human("<image>\nWhat is it?"), Turn.gpt("A kite.")), "dlq-test", "vqa",
                new Licence("CC BY 2.0", "u"), null, Usage.NONE, "2026-11-26T00:00:00Z");
        ProducerRecord<String, String> failed = new ProducerRecord<>(prefix + "samples.accepted.dlq", id,
                EventJson.write(new FilteredSample(1, sample, Verdict.Outcome.ACCEPTED, List.of())));
        failed.headers().add("dead-letter-topic", (prefix + "samples.accepted").getBytes(StandardCharsets.UTF_8));
        failed.headers().add("dead-letter-reason", "database unavailable".getBytes(StandardCharsets.UTF_8));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            kafka.produceStrings().fromRecords(failed).awaitCompletion(Duration.ofSeconds(30));
        }

        List<Map<String, Object>> channels = given().when().get("/dead-letters").then().statusCode(200)
                .extract().jsonPath().getList("");
        Map<String, Object> accepted = channels.stream().filter(c -> "samples.accepted".equals(c.get("channel")))
                .findFirst().orElseThrow(() -> new AssertionError("no samples.accepted channel: " + channels));
        assertEquals(prefix + "samples.accepted.dlq", accepted.get("deadLetterTopic"));
        assertTrue(((Number) accepted.get("pending")).longValue() >= 1, "the dead letter waits: " + accepted);
        assertTrue(channels.stream().anyMatch(c -> "samples.rejected".equals(c.get("channel"))));

        JsonPath replayed = given().queryParam("channel", "samples.accepted").when().post("/dead-letters/replay")
                .then().statusCode(200).extract().jsonPath();
        assertTrue(replayed.getLong("[0].replayed") >= 1, replayed.prettify());
        assertTrue(replayed.getLong("[0].byTarget.'" + prefix + "samples.accepted'") >= 1, replayed.prettify());
        Await.until("the replayed sample is stored", () -> stored(id));

        given().queryParam("channel", "no-such").when().post("/dead-letters/replay").then().statusCode(404);
        // Its image is not in the object store: left behind, it would break every later release of the
        // accepted set in this database (the release tests publish all of it).
        forget(id);
    }

    private void forget(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "delete from publication.accepted_samples where sample_id = ?")) {
            st.setString(1, id);
            assertEquals(1, st.executeUpdate());
        }
    }

    private boolean stored(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select count(*) from publication.accepted_samples where sample_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        }
    }
}
