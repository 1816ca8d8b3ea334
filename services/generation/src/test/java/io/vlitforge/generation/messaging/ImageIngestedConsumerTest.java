package io.vlitforge.generation.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.generation.tasks.AdaptionRecipe;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generation service in-process against the real Kafka broker and PostgreSQL started by
 * {@code bin/vlit test}; nothing is stubbed. Topics carry a per-run prefix.
 */
@QuarkusTest
class ImageIngestedConsumerTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;

    private KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrap);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    static ImageIngested image() {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        return new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, "images/" + imageId.substring(0, 2) + "/"
                + imageId.substring(2, 4) + "/" + imageId + ".jpeg", "jpeg", 640, 480,
                List.of("a dog on a couch", "A brown dog lies on a sofa."),
                List.of(new BoundingBox("dog", 10, 10, 100, 80), new BoundingBox("couch", 0, 50, 600, 300)),
                new Licence("CC BY 2.0", "http://creativecommons.org/licenses/by/2.0/"),
                new SourceRef("test", "val", "1", "x.jpg"), "run-" + UUID.randomUUID());
    }

    @Test
    void eachImageBecomesThreeSamplesAndARedeliveryChangesNothing() throws Exception {
        ImageIngested image = image();
        Set<String> expectedIds = AdaptionRecipe.cocoBasic().generate(image, "t").stream().map(Sample::id)
                .collect(Collectors.toSet());
        ConsumerTask<String, String> generated = kafka.consumeStrings().fromTopics(prefix + "samples.generated");
        try {
            send(prefix + "images.ingested", image.imageId(), EventJson.write(image));
            List<Sample> samples = awaitSamplesOf(generated, image.imageId(), 3);
            assertEquals(expectedIds, samples.stream().map(Sample::id).collect(Collectors.toSet()));
            assertTrue(samples.stream().allMatch(s -> s.conversations().get(0).value().startsWith("<image>\n")));
            assertEquals(3, countRows("select count(*) from generation.generated_samples where image_id = ?",
                    image.imageId()));

            // At-least-once: the same record again regenerates the same ids and stores nothing new.
            send(prefix + "images.ingested", image.imageId(), EventJson.write(image));
            List<Sample> again = awaitSamplesOf(generated, image.imageId(), 6);
            assertEquals(expectedIds, again.stream().map(Sample::id).collect(Collectors.toSet()));
            assertEquals(3, countRows("select count(*) from generation.generated_samples where image_id = ?",
                    image.imageId()));
            assertEquals(1, countRows("select count(*) from generation.processed_images where image_id = ?",
                    image.imageId()));
            String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.contains("vlit_generation_samples_total{"), "the generation counter is exported");
            for (ConsumerRecord<String, String> r : generated.getRecords()) {
                assertEquals(EventJson.read(r.value(), Sample.class).id(), r.key(), "records are keyed by sample id");
            }
        } finally {
            generated.stop();
        }
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicAndTheNextOneIsStillProcessed() throws Exception {
        String marker = "garbage-" + UUID.randomUUID();
        ConsumerTask<String, String> dlq = kafka.consumeStrings().fromTopics(prefix + "images.ingested.dlq");
        ConsumerTask<String, String> generated = kafka.consumeStrings().fromTopics(prefix + "samples.generated");
        try {
            send(prefix + "images.ingested", marker, "{\"this is\": not json");
            ImageIngested image = image();
            send(prefix + "images.ingested", image.imageId(), EventJson.write(image));
            Await.until("the malformed record reaches the dead-letter topic",
                    () -> dlq.getRecords().stream().anyMatch(r -> marker.equals(r.key())));
            ConsumerRecord<String, String> dead = dlq.getRecords().stream().filter(r -> marker.equals(r.key()))
                    .findFirst().orElseThrow();
            assertTrue(new String(dead.headers().lastHeader("dead-letter-reason").value()).contains("malformed"),
                    "the dead letter says why");
            assertEquals(3, awaitSamplesOf(generated, image.imageId(), 3).size());
        } finally {
            dlq.stop();
            generated.stop();
        }
    }

    private void send(String topic, String key, String value) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(topic, key, value)).awaitCompletion(Duration.ofSeconds(30));
    }

    private static List<Sample> awaitSamplesOf(ConsumerTask<String, String> task, String imageId, int count)
            throws Exception {
        return Await.value(count + " samples of " + imageId, () -> {
            List<Sample> found = task.getRecords().stream().map(r -> EventJson.read(r.value(), Sample.class))
                    .filter(s -> s.imageId().equals(imageId)).toList();
            return found.size() >= count ? Optional.of(found) : Optional.empty();
        });
    }

    private long countRows(String sql, String param) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
