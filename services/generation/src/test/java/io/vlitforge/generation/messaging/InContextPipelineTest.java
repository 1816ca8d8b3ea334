package io.vlitforge.generation.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.generation.selfinstruct.InContextRecipe;
import io.vlitforge.generation.selfinstruct.InContextRecipe.Example;
import io.vlitforge.generation.selfinstruct.LlavaInstructRecipe;
import io.vlitforge.generation.selfinstruct.ResponseType;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.testing.OpenAiStubServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-context variant end to end: real Kafka and PostgreSQL, the LLaVA steps, the in-context step and
 * its example pool fed from {@code samples.accepted}; the only stub is the model endpoint, a local
 * OpenAI-protocol server answering with LLaVA's real seed replies and keeping the in-context prompts.
 */
@QuarkusTest
@TestProfile(InContextProfile.class)
class InContextPipelineTest {

    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;
    @ConfigProperty(name = "vlit.generation.in-context.examples")
    int k;

    private KafkaCompanion kafka;
    private final LlavaInstructRecipe llava = new LlavaInstructRecipe(true);
    private final Random random = new Random();

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrap);
        // The pool is this service's table: start from an empty one (an earlier run on the same database
        // would otherwise give the first images examples already).
        update("delete from generation.example_pool");
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void examplesComeFromAcceptedSamplesOfTheSameTypeChosenByImageAndARerunPaysNothing() throws Exception {
        OpenAiStubServer server = SelfInstructProfile.StubEndpoint.server;
        InContextRecipe recipe = new InContextRecipe(llava, k);
        List<ImageIngested> first = images("a", 2);
        List<ImageIngested> second = images("b", 2);
        Set<String> firstIds = first.stream().map(ImageIngested::imageId).collect(Collectors.toSet());
        Set<String> secondIds = second.stream().map(ImageIngested::imageId).collect(Collectors.toSet());

        ConsumerTask<String, String> generated = kafka.consumeStrings().fromTopics(prefix + Topics.SAMPLES_GENERATED);
        ConsumerTask<String, String> deadLetters = kafka.consumeStrings()
                .fromTopics(prefix + Topics.deadLetter(Topics.SAMPLES_ACCEPTED));
        try {
            // 1. An empty pool: the in-context step falls back to the static seeds.
            first.forEach(this::send);
            awaitUntil("llava-instruct and in-context samples of the first images",
                    () -> samples(generated, firstIds, LlavaInstructRecipe.ID).size() >= first.size()
                            && samples(generated, firstIds, InContextRecipe.ID).size() >= first.size());
            List<Sample> accepted = samples(generated, firstIds, LlavaInstructRecipe.ID);
            List<Sample> fromSeeds = samples(generated, firstIds, InContextRecipe.ID);
            assertEquals(first.size(), accepted.size(), "one llava-instruct sample per image");
            assertEquals(first.size(), fromSeeds.size(), "one in-context sample per image, none doubled");
            for (Sample s : fromSeeds) {
                ResponseType type = llava.typeFor(s.imageId());
                Map<String, String> params = s.lineage().generator().params();
                assertEquals(InContextRecipe.FROM_SEEDS, params.get("example_source"));
                assertEquals("seed-1", params.get("examples"));
                assertEquals(type.task(), s.task());
                assertEquals(recipe.promptHash(type, recipe.seedExamples(type)), s.lineage().generator().promptHash());
                assertEquals("stub-in-context", s.lineage().generator().model());
                assertEquals(List.of("self-instruct/in-context"), s.lineage().steps().stream()
                        .map(io.vlitforge.shared.events.LineageStep::component).toList());
                assertTrue(s.usage().costUsd() > 0, "cost accounted");
            }

            // 2. Filtering accepts the llava-instruct samples (and, on the same topic, an in-context sample, a
            // rejected verdict and a broken record, none of which may become an example).
            for (Sample s : accepted) {
                publishAccepted(s, Verdict.Outcome.ACCEPTED);
            }
            publishAccepted(fromSeeds.get(0), Verdict.Outcome.ACCEPTED);
            publishAccepted(withId(accepted.get(0), "rejected-" + UUID.randomUUID().toString().substring(0, 8)),
                    Verdict.Outcome.REJECTED);
            kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + Topics.SAMPLES_ACCEPTED, "broken",
                    "{not json")).awaitCompletion(Duration.ofSeconds(30));
            awaitUntil("the accepted samples in the pool", () -> count("select count(*) from generation.example_pool")
                    >= accepted.size());
            awaitUntil("the broken record in samples.accepted.dlq", () -> deadLetters.getRecords().stream()
                    .anyMatch(r -> "{not json".equals(r.value())));
            awaitUntil("the in-context sample and the rejected verdict passed over", () -> metric(
                    "vlit_generation_example_pool_total{outcome=\"ignored\"}") >= 2);
            assertEquals(accepted.size(), count("select count(*) from generation.example_pool"),
                    "only accepted llava-instruct samples are examples");
            for (Sample s : accepted) {
                ImageIngested image = first.stream().filter(i -> i.imageId().equals(s.imageId())).findFirst()
                        .orElseThrow();
                assertEquals(llava.context(image), text("select context from generation.example_pool where sample_id = ?",
                        s.id()), "an example shows the context its sample was written from, boxes and all");
                assertEquals(InContextRecipe.reply(s.task(), s.conversations()).orElseThrow(),
                        text("select reply from generation.example_pool where sample_id = ?", s.id()));
            }

            // 3. New images: their examples are the accepted samples of their own type, chosen by image id.
            LlavaReplies.IN_CONTEXT_REQUESTS.clear();
            second.forEach(this::send);
            awaitUntil("in-context samples of the second images",
                    () -> samples(generated, secondIds, InContextRecipe.ID).size() >= second.size());
            List<Sample> fromPool = samples(generated, secondIds, InContextRecipe.ID);
            assertEquals(second.size(), fromPool.size());
            for (Sample s : fromPool) {
                ResponseType type = llava.typeFor(s.imageId());
                List<Sample> sameType = accepted.stream().filter(a -> a.task().equals(type.task())).toList();
                List<Sample> chosen = expectedChoice(recipe, s.imageId(), sameType);
                Map<String, String> params = s.lineage().generator().params();
                assertEquals(InContextRecipe.FROM_POOL, params.get("example_source"));
                assertEquals(chosen.stream().map(Sample::id).collect(Collectors.joining(",")), params.get("examples"),
                        "k accepted samples of the image's type, in the order its id draws them");
                List<Example> examples = chosen.stream().map(a -> new Example(a.id(), llava.context(imageOf(first, a)),
                        InContextRecipe.reply(a.task(), a.conversations()).orElseThrow())).toList();
                assertEquals(recipe.promptHash(type, examples), s.lineage().generator().promptHash(),
                        "the prompt hash covers the examples shown");
                assertFalse(s.lineage().generator().promptHash().equals(recipe.promptHash(type,
                        recipe.seedExamples(type))));

                // The prompt the endpoint received holds those examples, as user/assistant turns.
                ImageIngested image = imageOf(second, s);
                JsonNode request = LlavaReplies.IN_CONTEXT_REQUESTS.stream()
                        .filter(r -> lastUserText(r).equals(llava.context(image))).findFirst().orElse(null);
                assertNotNull(request, "the in-context request for " + s.imageId());
                JsonNode messages = request.path("messages");
                assertEquals(2 + 2 * examples.size(), messages.size(), "system, the examples, the image's context");
                for (int i = 0; i < examples.size(); i++) {
                    assertEquals("user", messages.path(1 + 2 * i).path("role").asText());
                    assertEquals(examples.get(i).context(), messages.path(1 + 2 * i).path("content").asText());
                    assertEquals("assistant", messages.path(2 + 2 * i).path("role").asText());
                    assertEquals(examples.get(i).reply(), messages.path(2 + 2 * i).path("content").asText());
                }
            }
            String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_generation_model_requests_total{")
                    && l.contains("step=\"in-context\"")), "the in-context step has its own model metrics");
            assertTrue(metrics.contains("vlit_generation_example_pool_total{outcome=\"added\"}"), "pool additions counted");

            // 4. A re-run with the same pool picks the same examples: every request is answered from the cache.
            int before = server.requests();
            second.forEach(this::send);
            awaitUntil("the re-run's in-context samples",
                    () -> samples(generated, secondIds, InContextRecipe.ID).size() >= second.size() * 2);
            List<Sample> again = samples(generated, secondIds, InContextRecipe.ID);
            assertEquals(second.size() * 2, again.size());
            assertEquals(fromPool.stream().map(Sample::id).collect(Collectors.toSet()),
                    again.stream().map(Sample::id).collect(Collectors.toSet()), "the same sample ids");
            for (Sample s : again.subList(fromPool.size(), again.size())) {
                Sample earlier = fromPool.stream().filter(f -> f.id().equals(s.id())).findFirst().orElseThrow();
                assertEquals(earlier.lineage().generator().params().get("examples"),
                        s.lineage().generator().params().get("examples"), "the same examples");
                assertEquals("1", s.lineage().generator().params().get("cache_hits"));
                assertEquals(0.0, s.usage().costUsd());
            }
            awaitUntil("the re-run's llava-instruct samples",
                    () -> samples(generated, secondIds, LlavaInstructRecipe.ID).size() >= second.size() * 2);
            assertEquals(before, server.requests(), "no request reached the endpoint on the re-run");
        } finally {
            generated.stop();
            deadLetters.stop();
        }
    }

    /** {@code perType} images of each response type, with captions and boxes that differ per run. */
    private List<ImageIngested> images(String tag, int perType) {
        List<ImageIngested> out = new ArrayList<>();
        for (ResponseType type : ResponseType.values()) {
            for (int n = 0; n < perType; n++) {
                String imageId;
                do {
                    imageId = Ids.imageId(("in-context-" + tag + "-" + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII));
                } while (llava.typeFor(imageId) != type);
                out.add(new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, "images/x/" + imageId + ".png", "png",
                        640, 480, List.of("A dog runs after a ball on a lawn " + random.nextInt(100000) + ".",
                                "A person throws a ball for a dog."),
                        List.of(new BoundingBox("dog", random.nextInt(300), random.nextInt(200), 120, 90),
                                new BoundingBox("person", 350, 80, 120 + random.nextInt(100), 300)),
                        new Licence("CC BY 2.0", "http://creativecommons.org/licenses/by/2.0/"),
                        new SourceRef("coco", "val2014", imageId.substring(0, 8), "x.jpg"), "run-" + tag));
            }
        }
        return out;
    }

    /** The examples an image must get: the pool's order by rank key, starting at the image's seed, wrapping. */
    private List<Sample> expectedChoice(InContextRecipe recipe, String imageId, List<Sample> candidates) {
        long seed = recipe.exampleSeed(imageId);
        Comparator<Sample> byRank = Comparator.comparingLong(a -> InContextRecipe.rankKey(a.id()));
        List<Sample> after = candidates.stream().filter(a -> InContextRecipe.rankKey(a.id()) >= seed).sorted(byRank)
                .toList();
        List<Sample> before = candidates.stream().filter(a -> InContextRecipe.rankKey(a.id()) < seed).sorted(byRank)
                .toList();
        List<Sample> order = new ArrayList<>(after);
        order.addAll(before);
        return order.subList(0, Math.min(recipe.examples(), order.size()));
    }

    private static ImageIngested imageOf(List<ImageIngested> images, Sample s) {
        return images.stream().filter(i -> i.imageId().equals(s.imageId())).findFirst().orElseThrow();
    }

    private static String lastUserText(JsonNode request) {
        JsonNode messages = request.path("messages");
        JsonNode content = messages.path(messages.size() - 1).path("content");
        return content.isTextual() ? content.asText() : content.path(0).path("text").asText();
    }

    private static Sample withId(Sample s, String id) {
        return new Sample(s.schemaVersion(), id, s.imageId(), s.imageKey(), s.conversations(), s.task(), s.category(),
                s.licence(), s.lineage(), s.usage(), s.createdAt(), s.groundTruth());
    }

    private void publishAccepted(Sample s, Verdict.Outcome outcome) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + Topics.SAMPLES_ACCEPTED, s.id(),
                EventJson.write(new FilteredSample(FilteredSample.SCHEMA_VERSION, s, outcome, List.of()))))
                .awaitCompletion(Duration.ofSeconds(30));
    }

    private void send(ImageIngested image) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + Topics.IMAGES_INGESTED, image.imageId(),
                EventJson.write(image))).awaitCompletion(Duration.ofSeconds(30));
    }

    private static List<Sample> samples(ConsumerTask<String, String> task, Set<String> imageIds, String recipeId) {
        return task.getRecords().stream().map(r -> EventJson.read(r.value(), Sample.class))
                .filter(s -> imageIds.contains(s.imageId()))
                .filter(s -> s.lineage().strategy() == Strategy.SI && s.lineage().recipe().id().equals(recipeId))
                .toList();
    }

    private static void awaitUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE.toSeconds() + " s: " + what);
            }
            Thread.sleep(200);
        }
    }

    private static double metric(String series) {
        return RestAssured.get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length())
                        .strip())).sum();
    }

    private long count(String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String text(String sql, String param) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(sql)) {
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
