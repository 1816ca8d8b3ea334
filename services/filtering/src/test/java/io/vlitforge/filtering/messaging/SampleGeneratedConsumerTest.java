package io.vlitforge.filtering.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.Generator;
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
        Sample good = sample(imageId, List.of(Turn.human("<image>\nDescribe the image."),
                Turn.gpt("A black cat sleeping on a sofa.")));
        Sample sameContent = sample(imageId, List.of(Turn.human("<image>\ndescribe  the image."),
                Turn.gpt("a black cat sleeping on a  sofa.")));
        Sample twoTokens = sample(imageId, List.of(Turn.human("<image>\nDescribe <image>."),
                Turn.gpt("A dog running on the beach.")));
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
        Sample good = sample(imageId, List.of(Turn.human("<image>\nWhat is shown?"),
                Turn.gpt("Two birds sitting on a wire.")));
        send(good);
        awaitOutcome(accepted, good.id());
        send(good);
        awaitCount(accepted, good.id(), 2);
        assertTrue(rejected.getRecords().stream().noneMatch(r -> good.id().equals(r.key())),
                "a redelivery is not its own duplicate");
        assertEquals("1", stored("count(*)::text", good.id()));
    }

    @Test
    void aNearDuplicateOfTheSameImageIsRejectedButTheSameAnswerAboutAnotherImageIsNot() throws Exception {
        String imageId = newImageId();
        Sample original = sample(imageId, List.of(Turn.human("<image>\nDescribe the image concisely."),
                Turn.gpt("A man riding a brown horse along a sandy beach next to the ocean waves.")));
        Sample near = sample(imageId, List.of(Turn.human("<image>\nDescribe the image concisely."),
                Turn.gpt("A man riding a brown horse along a sandy beach next to the ocean waves at sunset.")));
        Sample elsewhere = sample(newImageId(), near.conversations());

        send(original);
        awaitOutcome(accepted, original.id());
        send(near);
        send(elsewhere);

        FilteredSample rejectedNear = awaitOutcome(rejected, near.id());
        assertEquals("duplicate.near", reasonOf(rejectedNear));
        Verdict nearVerdict = rejectedNear.verdicts().stream().filter(v -> v.filter().equals("near_duplicate"))
                .findFirst().orElseThrow();
        assertEquals("near_duplicate", nearVerdict.filter());
        assertTrue(nearVerdict.score() >= 0.8 && nearVerdict.threshold() == 0.8, nearVerdict.toString());
        assertEquals("duplicate.near", stored("reason", near.id()));
        assertTrue(stored("detail", near.id()).contains(original.id()), "the near-duplicate names the original");
        assertEquals(Verdict.Outcome.ACCEPTED, awaitOutcome(accepted, elsewhere.id()).outcome(),
                "near-duplicates are scoped per image");
        assertEquals(20, indexRows("near_duplicate_bands", original.id()));
        assertEquals(1, indexRows("near_duplicate_signatures", original.id()));
        assertEquals(0, indexRows("near_duplicate_bands", near.id()), "a rejected sample gives its band keys back");
        assertEquals(0, indexRows("near_duplicate_signatures", near.id()));

        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_filter_verdicts_total{")
                && l.contains("filter=\"near_duplicate\"") && l.contains("reason=\"duplicate.near\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_evaluated_total{")
                && l.contains("filter=\"hygiene\"") && l.contains("task=\"brief_caption\"")), metrics);
    }

    @Test
    void aRefusalIsRejectedAndEveryVerdictIsStoredAndServed() throws Exception {
        Sample refusal = sample(newImageId(), List.of(Turn.human("<image>\nDescribe the image concisely."),
                Turn.gpt("I'm sorry, but I cannot describe the people in this image.")));
        send(refusal);

        FilteredSample out = awaitOutcome(rejected, refusal.id());
        assertEquals("hygiene.refusal", reasonOf(out));
        List<String> chain = List.of("format", "length", "hygiene", "hallucination", "complexity",
                "exact_duplicate", "near_duplicate", "near_image", "novelty", "quota");
        assertEquals(chain, out.verdicts().stream().map(Verdict::filter).toList(), "every filter's verdict is sent");
        assertEquals("hygiene.refusal", stored("reason", refusal.id()));
        assertTrue(stored("detail", refusal.id()).contains("\"I'm sorry\""), "the detail quotes the refusal");
        for (String filter : chain) {
            assertTrue(stored("verdicts_json", refusal.id()).contains("\"filter\":\"" + filter + "\""), filter);
        }
        assertEquals(0, indexRows("near_duplicate_bands", refusal.id()), "a rejected sample never enters the index");

        io.restassured.path.json.JsonPath verdicts = io.restassured.RestAssured.get("/samples/" + refusal.id()
                + "/verdicts").then().statusCode(200).extract().jsonPath();
        assertEquals(chain, verdicts.getList("verdicts.filter"));
        assertEquals("REJECTED", verdicts.getString("outcome"));
        assertEquals("hygiene.refusal", verdicts.getString("reason"));
        assertEquals("hygiene.refusal", verdicts.getString("verdicts[2].reason"));
        io.restassured.RestAssured.get("/samples/no-such-sample/verdicts").then().statusCode(404);

        long total = io.restassured.RestAssured.get("/rejections?reason=hygiene.refusal&size=1").then()
                .statusCode(200).extract().jsonPath().getLong("total");
        io.restassured.path.json.JsonPath last = io.restassured.RestAssured
                .get("/rejections?reason=hygiene.refusal&size=50&page=" + (total - 1) / 50).then().statusCode(200)
                .extract().jsonPath();
        assertTrue(last.getList("items.sampleId").contains(refusal.id()), "the newest rejection is on the last page");
        assertTrue(last.getList("items.reason").stream().allMatch("hygiene.refusal"::equals));
        io.restassured.RestAssured.get("/rejections?size=0").then().statusCode(400);

        io.restassured.path.json.JsonPath stats = io.restassured.RestAssured.get("/stats").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(stats.getLong("verdicts") == stats.getLong("accepted") + stats.getLong("rejected"));
        assertTrue(stats.getLong("rejectedByReason.'hygiene.refusal'") >= 1);
        assertEquals(String.join("+", chain), io.restassured.RestAssured.get("/filters").then().statusCode(200)
                .extract().jsonPath().getString("step"));
    }

    @Test
    void aHallucinationIsRejectedWithItsWordAndItsLineageFunnelAndMetricsAreServed() throws Exception {
        String imageId = newImageId();
        Generator generator = new Generator("llm", "stub-model", "prompt-" + imageId.substring(0, 8), Map.of());
        Sample dog = new Sample(Sample.SCHEMA_VERSION, UUID.randomUUID().toString().replace("-", ""), imageId,
                "images/aa/bb/" + imageId + ".jpeg", List.of(Turn.human("<image>\nDescribe the image concisely."),
                        Turn.gpt("A red fire hydrant deep in the snow, and a black dog beside it.")),
                "brief_caption", "caption", new Licence("CC BY 2.0", "u"),
                new Lineage(Strategy.SI, new Recipe("test", "1", "h"), "t/0", 1, generator, "coco-xywh",
                        new SourceRef("coco", "val2014", "42", "x.jpg"), List.of()),
                Usage.NONE, "2026-11-26T00:00:00Z", new GroundTruth(List.of("A red fire hydrant is deep in the snow."),
                        Map.of("fire hydrant", 1)));
        send(dog);
        FilteredSample out = awaitOutcome(rejected, dog.id());
        assertEquals("hallucination.object", reasonOf(out));

        io.restassured.path.json.JsonPath lineage = io.restassured.RestAssured.get("/samples/" + dog.id()
                + "/lineage").then().statusCode(200).extract().jsonPath();
        assertEquals("coco", lineage.getString("source.dataset"));
        assertEquals("prompt-" + imageId.substring(0, 8), lineage.getString("promptHash"));
        assertEquals("stub-model", lineage.getString("generator.model"));
        assertEquals("SI", lineage.getString("strategy"));
        assertEquals("filtering", lineage.getString("steps[-1].stage"));
        assertEquals(lineage.getString("run"), lineage.getString("steps[-1].version"));
        int position = lineage.getList("verdicts.filter").indexOf("hallucination");
        assertTrue(lineage.getString("verdicts[" + position + "].detail").contains("\"dog\""),
                lineage.getString("verdicts[" + position + "].detail"));
        io.restassured.RestAssured.get("/samples/no-such-sample/lineage").then().statusCode(404);

        long total = io.restassured.RestAssured.get("/rejections?filter=hallucination&reason=hallucination.object"
                + "&size=1").then().statusCode(200).extract().jsonPath().getLong("total");
        io.restassured.path.json.JsonPath page = io.restassured.RestAssured.get("/rejections?filter=hallucination"
                + "&reason=hallucination.object&size=50&page=" + (total - 1) / 50).then().statusCode(200).extract()
                .jsonPath();
        assertTrue(page.getList("items.sampleId").contains(dog.id()), page.prettify());
        io.restassured.path.json.JsonPath byFilter = io.restassured.RestAssured.get("/rejections/by-filter")
                .then().statusCode(200).extract().jsonPath();
        assertTrue(byFilter.getList("findAll { it.filter == 'hallucination' && it.reason == "
                + "'hallucination.object' }.samples").size() == 1);

        io.restassured.path.json.JsonPath funnel = io.restassured.RestAssured.get("/funnel").then().statusCode(200)
                .extract().jsonPath();
        List<String> chain = List.of("format", "length", "hygiene", "hallucination", "complexity",
                "exact_duplicate", "near_duplicate", "near_image", "novelty", "quota");
        assertEquals(chain, funnel.getList("filters.filter"));
        long samples = funnel.getLong("samples");
        assertTrue(samples >= 1 && samples == funnel.getLong("accepted") + funnel.getLong("rejected"));
        long remaining = samples;
        long decided = 0;
        for (int i = 0; i < chain.size(); i++) {
            String step = "filters[" + i + "].";
            assertEquals(samples, funnel.getLong(step + "evaluated"), "every filter sees every sample");
            assertEquals(samples, funnel.getLong(step + "passed") + funnel.getLong(step + "rejected"));
            assertTrue(funnel.getLong(step + "remaining") <= remaining, "the funnel only narrows");
            remaining = funnel.getLong(step + "remaining");
            decided += funnel.getLong(step + "decidedHere");
        }
        assertEquals(funnel.getLong("accepted"), remaining);
        assertEquals(funnel.getLong("rejected"), decided);
        assertTrue(funnel.getLong("filters[3].rejectedByReason.'hallucination.object'") >= 1);

        // The same data again adds nothing: a redelivery replays its stored decision.
        send(dog);
        awaitCount(rejected, dog.id(), 2);
        assertEquals(samples, io.restassured.RestAssured.get("/funnel?run=" + lineage.getString("run")).then()
                .statusCode(200).extract().jsonPath().getLong("samples"));

        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_filter_verdicts_total{")
                && l.contains("filter=\"hallucination\"") && l.contains("reason=\"hallucination.object\"")
                && l.contains("outcome=\"rejected\"")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_filtering_evaluated_total{")
                && l.contains("filter=\"complexity\"")), metrics);
    }

    @Test
    void aRedeliveredNearDuplicateChangesNothing() throws Exception {
        String imageId = newImageId();
        Sample original = sample(imageId, List.of(Turn.human("<image>\nDescribe the image concisely."),
                Turn.gpt("Two giraffes standing next to a tall tree in a grassy field under a blue sky.")));
        Sample near = sample(imageId, List.of(Turn.human("<image>\nDescribe the image concisely."),
                Turn.gpt("Two giraffes standing next to a tall tree in a grassy field under a blue sky in summer.")));
        send(original);
        awaitOutcome(accepted, original.id());
        send(near);
        FilteredSample first = awaitOutcome(rejected, near.id());
        String storedVerdicts = stored("verdicts_json", near.id());

        send(near);
        send(original);
        awaitCount(rejected, near.id(), 2);
        awaitCount(accepted, original.id(), 2);
        FilteredSample again = rejected.getRecords().stream().filter(r -> near.id().equals(r.key()))
                .map(r -> EventJson.read(r.value(), FilteredSample.class)).toList().get(1);
        assertEquals(first.verdicts(), again.verdicts(), "the stored verdicts are sent again, not decided again");
        assertEquals(storedVerdicts, stored("verdicts_json", near.id()));
        assertEquals("1", stored("count(*)::text", near.id()));
        assertEquals(20, indexRows("near_duplicate_bands", original.id()));
        assertEquals(0, indexRows("near_duplicate_bands", near.id()));
        assertTrue(accepted.getRecords().stream().noneMatch(r -> near.id().equals(r.key())));
    }

    private static String newImageId() {
        return Ids.imageId(UUID.randomUUID().toString().getBytes());
    }

    private static void awaitCount(ConsumerTask<String, String> task, String key, int count)
            throws Exception {
        Await.until(key + " answered " + count + " times",
                () -> task.getRecords().stream().filter(r -> key.equals(r.key())).count() >= count);
    }

    private int indexRows(String table, String sampleId) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(
                        "select count(*) from filtering." + table + " where sample_id = ?")) {
            st.setString(1, sampleId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void anUnreadableRecordIsDeadLetteredAndTheRestOfItsBatchIsDecided() throws Exception {
        String marker = "garbage-" + UUID.randomUUID();
        ConsumerTask<String, String> dlq = kafka.consumeStrings().fromTopics(prefix + "samples.generated.dlq");
        try {
            Sample good = sample(Ids.imageId(UUID.randomUUID().toString().getBytes()),
                    List.of(Turn.human("<image>\nWhat is on the table?"), Turn.gpt("A bowl of green apples.")));
            kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "samples.generated", marker, "{\"id\": 7"),
                    new ProducerRecord<>(prefix + "samples.generated", good.id(), EventJson.write(good)))
                    .awaitCompletion(Duration.ofSeconds(30));
            assertEquals(Verdict.Outcome.ACCEPTED, awaitOutcome(accepted, good.id()).outcome());
            Await.until("the unreadable record reaches the dead-letter topic",
                    () -> dlq.getRecords().stream().anyMatch(r -> marker.equals(r.key())));
            var dead = dlq.getRecords().stream().filter(r -> marker.equals(r.key())).findFirst().orElseThrow();
            assertTrue(new String(dead.headers().lastHeader("dead-letter-reason").value()).contains("malformed"));
        } finally {
            dlq.stop();
        }
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
            throws Exception {
        return Await.value("a verdict for " + sampleId + " on " + task, () -> task.getRecords().stream()
                .filter(r -> sampleId.equals(r.key())).map(r -> EventJson.read(r.value(), FilteredSample.class))
                .findFirst());
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
