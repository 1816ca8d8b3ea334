package io.vlitforge.filtering.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.GroundTruth;
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
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.Await;
import io.vlitforge.shared.testing.OpenAiStubServer;
import io.vlitforge.shared.testing.OpenAiStubServer.Fault;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The filtering service with the model judge on, against the real Kafka broker and PostgreSQL started by
 * {@code bin/vlit test}; only the judge model is stubbed, by a local server speaking the OpenAI protocol
 * ({@link JudgeProfile}). Samples are sent one at a time so that the faults scripted at the server hit the
 * sample meant.
 */
@QuarkusTest
@TestProfile(JudgeProfile.class)
class JudgeConsumerTest {

    private static final GroundTruth HORSE = new GroundTruth(List.of("A man riding a horse on the beach.",
            "A person on a brown horse near the ocean.", "A man rides his horse along the shore."),
            Map.of("person", 1, "horse", 1));
    private static final GroundTruth KITE = new GroundTruth(List.of("A man flies a kite on the beach.",
            "A person holding the string of a red kite."), Map.of("person", 1, "kite", 1));

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

    static Sample sample(String answer, GroundTruth truth) {
        String imageId = Ids.imageId(UUID.randomUUID().toString().getBytes());
        return new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt(answer)), "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.SI, new Recipe("test", "1", "h"), "t/0", 1, null, null,
                        new SourceRef("coco", "val2014", "42", "x.jpg"), List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", truth);
    }

    @Test
    void theJudgePassesAndRejectsWithItsReasonAndFailuresAreRecordedWithoutStoppingTheFlow() throws Exception {
        OpenAiStubServer server = JudgeProfile.StubJudge.server;
        int calls = server.requests();

        // A good caption: judged 9, accepted, the verdict names the prompt version and hash.
        Sample good = sample("A man riding a brown horse along a sandy beach.", HORSE);
        send(good);
        FilteredSample passed = awaitOutcome(accepted, good.id());
        Verdict judged = judgeVerdict(passed);
        assertEquals(9.0, judged.score());
        assertEquals(6.0, judged.threshold());
        assertEquals(Verdict.Outcome.ACCEPTED, judged.outcome());
        JsonPath filters = RestAssured.get("/filters").then().statusCode(200).extract().jsonPath();
        String promptHash = filters.getString("filters.find { it.name == 'model_judge' }.parameters.promptHash");
        assertEquals(12, promptHash.length());
        assertEquals("1/v1@" + promptHash, judged.version());
        assertTrue(judged.detail().contains("model " + JudgeProfile.MODEL + ", prompt v1@" + promptHash),
                judged.detail());
        assertEquals(List.of("format", "length", "hygiene", "hallucination", "complexity", "model_judge",
                "exact_duplicate", "near_duplicate", "near_image", "novelty", "quota"),
                passed.verdicts().stream().map(Verdict::filter).toList());
        assertTrue(filters.getString("step").contains("+complexity+model_judge+exact_duplicate+"));
        assertFalse(filters.prettify().contains(JudgeProfile.KEY), "the key is not served");
        assertTrue(stored("verdicts_json", good.id()).contains("\"filter\":\"model_judge\""));
        assertEquals(calls + 1, server.requests());
        assertTrue(server.authorizations().stream().allMatch(("Bearer " + JudgeProfile.KEY)::equals));

        // Correct but vague: judged 3, rejected with the judge's reason, kept with its verdicts.
        Sample vague = sample(JudgeProfile.VAGUE, HORSE);
        send(vague);
        FilteredSample low = awaitOutcome(rejected, vague.id());
        assertEquals("judge.low_score", reasonOf(low));
        assertEquals("judge.low_score", stored("reason", vague.id()));
        assertTrue(stored("detail", vague.id()).startsWith("score 3 < 6"), stored("detail", vague.id()));
        assertTrue(stored("detail", vague.id()).endsWith("it omits the rider and the beach that every caption "
                + "mentions."), stored("detail", vague.id()));
        assertEquals(0, indexRows(vague.id()), "a sample the judge rejected never enters the duplicate index");

        // A reply without a score: rejected as unparseable, quoting the reply.
        Sample kite = sample(JudgeProfile.KITE, KITE);
        send(kite);
        assertEquals("judge.unparseable", reasonOf(awaitOutcome(rejected, kite.id())));
        assertTrue(stored("detail", kite.id()).contains("\"The caption is accurate and concise.\""));

        // The endpoint fails every attempt (one try and two retries): rejected as unavailable, not crashed.
        int before = server.requests();
        server.script(Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR);
        Sample unlucky = sample("A man on a brown horse rides along the shore.", HORSE);
        send(unlucky);
        assertEquals("judge.unavailable", reasonOf(awaitOutcome(rejected, unlucky.id())));
        assertTrue(stored("detail", unlucky.id()).startsWith("judge call failed: gave up after 3 attempts: HTTP 500"),
                stored("detail", unlucky.id()));
        assertEquals(before + 3, server.requests());
        assertEquals(0, server.faultsPending());

        // Filtering kept running: the next sample is judged and accepted.
        Sample after = sample("A person rides a brown horse near the ocean.", HORSE);
        send(after);
        assertEquals(9.0, judgeVerdict(awaitOutcome(accepted, after.id())).score());

        // A sample an earlier filter rejected and a redelivered one cost no model call.
        int beforeFree = server.requests();
        Sample refusal = sample("I'm sorry, but I cannot describe the people in this image.", HORSE);
        send(refusal);
        FilteredSample refused = awaitOutcome(rejected, refusal.id());
        assertEquals("hygiene.refusal", reasonOf(refused));
        assertEquals("not judged: rejected by an earlier filter", judgeVerdict(refused).detail());
        send(good);
        awaitCount(accepted, good.id(), 2);
        assertEquals(beforeFree, server.requests(), "neither the refusal nor the redelivery was sent to the judge");
        FilteredSample replayed = accepted.getRecords().stream().filter(r -> good.id().equals(r.key()))
                .map(r -> EventJson.read(r.value(), FilteredSample.class)).toList().get(1);
        assertEquals(passed.verdicts(), replayed.verdicts(), "a redelivery replays the stored judge verdict");

        // Usage and cost of the judge calls, and its verdicts by reason, are exported.
        String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_judge_requests_total{")
                && l.contains("outcome=\"ok\"") && l.contains("model=\"" + JudgeProfile.MODEL + "\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_judge_requests_total{")
                && l.contains("outcome=\"server_error\"") && value(l) >= 3), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_judge_tokens_total{")
                && l.contains("kind=\"prompt\"") && value(l) > 100), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_judge_cost_total{") && value(l) > 0),
                metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_judge_replies_total{")
                && l.contains("result=\"unparseable\"") && value(l) >= 1), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_filter_verdicts_total{")
                && l.contains("filter=\"model_judge\"") && l.contains("reason=\"judge.low_score\"")), metrics);
        assertFalse(metrics.contains(JudgeProfile.KEY));

        JsonPath funnel = RestAssured.get("/funnel").then().statusCode(200).extract().jsonPath();
        int position = funnel.getList("filters.filter").indexOf("model_judge");
        assertEquals(5, position);
        assertTrue(funnel.getLong("filters[5].rejectedByReason.'judge.low_score'") >= 1);
        assertTrue(funnel.getLong("filters[5].decidedHere") >= 3, "low score, unparseable and unavailable");
    }

    private static double value(String metricLine) {
        return Double.parseDouble(metricLine.substring(metricLine.lastIndexOf(' ') + 1));
    }

    private static Verdict judgeVerdict(FilteredSample out) {
        return out.verdicts().stream().filter(v -> v.filter().equals("model_judge")).findFirst().orElseThrow();
    }

    private static String reasonOf(FilteredSample filtered) {
        return filtered.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED).map(Verdict::reason)
                .findFirst().orElse("none");
    }

    private void send(Sample sample) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.generated", sample.id(),
                EventJson.write(sample))).awaitCompletion(Duration.ofSeconds(30));
    }

    private static FilteredSample awaitOutcome(ConsumerTask<String, String> task, String sampleId) throws Exception {
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

    private int indexRows(String sampleId) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select count(*) from filtering.near_duplicate_bands where sample_id = ?")) {
            st.setString(1, sampleId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
