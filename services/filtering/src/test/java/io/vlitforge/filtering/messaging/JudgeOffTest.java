package io.vlitforge.filtering.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The judge left at its default (off) while its endpoint is configured and answering: real Kafka and
 * PostgreSQL, the local OpenAI-protocol server as the only stub. No sample may reach the server.
 */
@QuarkusTest
@TestProfile(JudgeProfile.Off.class)
class JudgeOffTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;

    @Test
    void offByDefaultMeansNoJudgeVerdictAndNoModelCall() throws Exception {
        GroundTruth truth = new GroundTruth(List.of("A man riding a horse on the beach."),
                Map.of("person", 1, "horse", 1));
        List<Sample> samples = List.of(JudgeConsumerTest.sample("A man riding a brown horse along a sandy beach.", truth),
                JudgeConsumerTest.sample(JudgeProfile.VAGUE, truth),
                JudgeConsumerTest.sample("A man on a brown horse rides along the shore at sunset.", truth));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrap)) {
            ConsumerTask<String, String> accepted = kafka.consumeStrings().fromTopics(prefix + "samples.accepted");
            try {
                for (Sample s : samples) {
                    kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.generated", s.id(),
                            EventJson.write(s))).awaitCompletion(Duration.ofSeconds(30));
                }
                for (Sample s : samples) {
                    FilteredSample out = Await.value("a verdict for " + s.id(), () -> accepted.getRecords().stream()
                            .filter(r -> s.id().equals(r.key()))
                            .map(r -> EventJson.read(r.value(), FilteredSample.class)).findFirst());
                    assertFalse(out.verdicts().stream().map(Verdict::filter).anyMatch("model_judge"::equals));
                }
            } finally {
                accepted.stop();
            }
        }
        assertEquals(0, JudgeProfile.StubJudge.server.requests(), "no model call at all");
        assertFalse(RestAssured.get("/filters").then().statusCode(200).extract().asString().contains("model_judge"));
        assertFalse(RestAssured.get("/q/metrics").then().statusCode(200).extract().asString()
                .contains("vlit_filtering_judge_"), "no judge client was even built");
    }
}
