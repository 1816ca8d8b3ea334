package io.vlitforge.generation.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vlitforge.generation.selfinstruct.LlavaInstructRecipe;
import io.vlitforge.generation.selfinstruct.MiniGpt4Recipe;
import io.vlitforge.generation.selfinstruct.ResponseType;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.DescriptionDrafted;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.objectstore.MinioClients;
import io.vlitforge.shared.objectstore.ObjectKeys;
import io.vlitforge.shared.testing.OpenAiStubServer.Fault;
import io.vlitforge.shared.testing.OpenAiStubServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
 * The self-instruct steps end to end: real Kafka, PostgreSQL and object store (started by
 * {@code bin/vlit infra}); the only stub is the model endpoint, a local server speaking the OpenAI
 * chat-completions protocol that answers with LLaVA's real seed replies and injects 429s (with
 * Retry-After), 500s, hangs, truncated and malformed bodies. MiniGPT-4's stage 2 runs as its two steps,
 * describe and repair, through {@code descriptions.drafted}.
 */
@QuarkusTest
@TestProfile(SelfInstructProfile.class)
class SelfInstructPipelineTest {

    private static final Duration PATIENCE = Duration.ofMinutes(3);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "vlit.topic-prefix")
    String prefix;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;
    @ConfigProperty(name = "vlit.generation.object-store.endpoint")
    String s3Endpoint;
    @ConfigProperty(name = "vlit.generation.object-store.access-key")
    String s3Key;
    @ConfigProperty(name = "vlit.generation.object-store.secret-key")
    String s3Secret;
    @ConfigProperty(name = "vlit.generation.object-store.bucket")
    String bucket;

    private KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrap);
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void llavaTypesAndDescribeAndRepairRunEndToEndWithFaultsAndARerunPaysNothing() throws Exception {
        OpenAiStubServer server = SelfInstructProfile.StubEndpoint.server;
        List<ImageIngested> images = new ArrayList<>();
        List<ImageIngested> marked = new ArrayList<>();
        // Described fine, but the repair model refuses: a rejection by the repair step.
        List<ImageIngested> unrepairable = new ArrayList<>();
        List<String> captionSets = captionSets();
        MinioClient store = MinioClients.create(s3Endpoint, s3Key, s3Secret);
        // The cache is keyed by request content: boxes that differ per run keep an earlier run's replies out.
        java.util.Random random = new java.util.Random();
        LlavaInstructRecipe draw = new LlavaInstructRecipe(true);
        for (int i = 0; i < 18; i++) {
            boolean unanswerable = i % 9 == 4;
            boolean broken = i % 9 == 7;
            byte[] bytes;
            String imageId;
            // The answerable images cover the three response types in turn, so that every step is exercised.
            ResponseType wanted = ResponseType.values()[i % ResponseType.values().length];
            do {
                bytes = ((unanswerable ? "unanswerable-image-bytes-00" : broken ? LlavaReplies.UNREPAIRABLE_BYTES
                        : "image-bytes-") + UUID.randomUUID())
                        .getBytes(StandardCharsets.US_ASCII);
                imageId = Ids.imageId(bytes);
            } while (!unanswerable && draw.typeFor(imageId) != wanted);
            String key = ObjectKeys.image(imageId, "png");
            store.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                    .stream(new ByteArrayInputStream(bytes), bytes.length, -1).contentType("image/png").build());
            List<String> captions = new ArrayList<>(captionSets.get(i % captionSets.size()).lines()
                    .filter(l -> !l.isBlank()).toList());
            if (unanswerable) {
                captions.add(LlavaReplies.UNANSWERABLE);
            }
            ImageIngested image = new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, key, "png", 640, 480,
                    captions, List.of(new BoundingBox("person", random.nextInt(300), random.nextInt(200), 100 + random.nextInt(300), 100 + random.nextInt(200)), new BoundingBox("dog", 400 + 7 * i, 300, 100, 90)),
                    new Licence("CC BY 2.0", "http://creativecommons.org/licenses/by/2.0/"),
                    new SourceRef("coco", "val2014", Integer.toString(i), "x.jpg"), "run-" + UUID.randomUUID());
            (unanswerable ? marked : broken ? unrepairable : images).add(image);
        }
        List<ImageIngested> all = new ArrayList<>(images);
        all.addAll(marked);
        all.addAll(unrepairable);
        List<ImageIngested> described = new ArrayList<>(images);
        described.addAll(unrepairable);
        int expected = images.size() * 2 + unrepairable.size();
        Set<String> ids = all.stream().map(ImageIngested::imageId).collect(Collectors.toSet());
        server.script(Fault.THROTTLE, Fault.SERVER_ERROR, Fault.HANG, Fault.TRUNCATED, Fault.MALFORMED_BODY,
                Fault.THROTTLE, Fault.SERVER_ERROR);

        ConsumerTask<String, String> generated = kafka.consumeStrings().fromTopics(prefix + "samples.generated");
        ConsumerTask<String, String> drafted = kafka.consumeStrings().fromTopics(prefix + Topics.DESCRIPTIONS_DRAFTED);
        try {
            all.forEach(image -> send(image));
            // Every answerable image: one llava-instruct sample (of its drawn type) and one minigpt4 sample
            // (describe, then repair); an unrepairable one only the llava-instruct sample.
            awaitUntil("the self-instruct samples", () -> siSamples(generated, ids).size() >= expected);
            awaitUntil("two rejections per unanswerable image", () -> rejections(marked) == marked.size() * 2L);
            awaitUntil("a repair rejection per unrepairable image",
                    () -> rejections(unrepairable) == unrepairable.size());

            // The describe step: exactly one draft per described image, keyed by its id; none for a refusal.
            List<DescriptionDrafted> drafts = drafts(drafted, ids);
            assertEquals(described.size(), drafts.size(), "one draft per described image, none lost or doubled");
            assertEquals(described.stream().map(ImageIngested::imageId).collect(Collectors.toSet()),
                    drafts.stream().map(d -> d.image().imageId()).collect(Collectors.toSet()));
            drafted.getRecords().stream().filter(r -> ids.contains(r.key()))
                    .forEach(r -> assertEquals(EventJson.read(r.value(), DescriptionDrafted.class).image().imageId(),
                            r.key(), "a draft is keyed by its image id"));
            for (DescriptionDrafted d : drafts) {
                assertEquals("stub-describe", d.generator().model());
                assertEquals("2", d.generator().params().get("calls"), "described, then continued");
                assertTrue(d.description().contains("Further back"), d.description());
                assertTrue(d.usage().costUsd() > 0);
            }

            List<Sample> samples = siSamples(generated, ids);
            assertEquals(expected, samples.size(), "nothing lost or duplicated on the topic");

            // A broken draft never stops the repair step: it goes to descriptions.drafted.dlq by itself.
            ConsumerTask<String, String> draftDeadLetters = kafka.consumeStrings()
                    .fromTopics(prefix + Topics.deadLetter(Topics.DESCRIPTIONS_DRAFTED));
            try {
                String brokenKey = "broken-" + UUID.randomUUID();
                kafka.produceStrings().fromRecords(
                        new ProducerRecord<>(prefix + Topics.DESCRIPTIONS_DRAFTED, brokenKey, "{not a draft"),
                        new ProducerRecord<>(prefix + Topics.DESCRIPTIONS_DRAFTED, brokenKey + "-no-image",
                                "{\"schemaVersion\":1,\"draftId\":\"x\",\"description\":\"A dog.\"}"))
                        .awaitCompletion(Duration.ofSeconds(30));
                awaitUntil("both broken drafts in the dead-letter topic", () -> draftDeadLetters.getRecords().stream()
                        .filter(r -> r.key() != null && r.key().startsWith(brokenKey)).count() == 2);
            } finally {
                draftDeadLetters.stop();
            }
            assertEquals(samples.size(), samples.stream().map(Sample::id).distinct().count());
            assertEquals(0, server.faultsPending(), "every injected fault was served");
            LlavaInstructRecipe recipe = new LlavaInstructRecipe(true);
            Map<ResponseType, Integer> perType = new EnumMap<>(ResponseType.class);
            for (ImageIngested image : images) {
                List<Sample> mine = samples.stream().filter(s -> s.imageId().equals(image.imageId())).toList();
                Sample llava = mine.stream().filter(s -> s.lineage().recipe().id().equals(LlavaInstructRecipe.ID))
                        .findFirst().orElseThrow();
                Sample minigpt4 = mine.stream().filter(s -> s.lineage().recipe().id().equals(MiniGpt4Recipe.ID))
                        .findFirst().orElseThrow();
                ResponseType type = recipe.typeFor(image.imageId());
                perType.merge(type, 1, Integer::sum);
                assertEquals(type.task(), llava.task(), "the image's drawn type made its sample");
                assertTrue(llava.conversations().get(0).value().startsWith("<image>\n"));
                assertEquals(0, llava.conversations().size() % 2);
                assertEquals("llm", llava.lineage().generator().kind());
                assertEquals("stub-" + type.step(), llava.lineage().generator().model());
                assertEquals(recipe.prompts(type).hash(), llava.lineage().generator().promptHash());
                assertEquals(image.groundTruth(), llava.groundTruth());
                assertTrue(llava.usage().promptTokens() > 0 && llava.usage().completionTokens() > 0);
                assertEquals(llava.usage().promptTokens() * SelfInstructProfile.PRICE_PROMPT / 1000
                        + llava.usage().completionTokens() * SelfInstructProfile.PRICE_COMPLETION / 1000,
                        llava.usage().costUsd(), 1e-9, "cost per sample from the step's prices");
                assertEquals("0", llava.lineage().generator().params().get("cache_hits"));

                // Describe (short), continue, repair: three calls, and the repair dropped the repeated sentence.
                Map<String, String> params = minigpt4.lineage().generator().params();
                assertEquals("3", params.get("calls"));
                assertEquals("true", params.get("continued"));
                assertEquals("2", params.get("describe.calls"));
                assertEquals("1", params.get("repair.calls"));
                assertEquals(List.of("self-instruct/describe", "self-instruct/repair"), minigpt4.lineage().steps()
                        .stream().map(io.vlitforge.shared.events.LineageStep::component).toList(),
                        "both steps in the lineage");
                DescriptionDrafted draft = drafts.stream().filter(d -> d.image().imageId().equals(image.imageId()))
                        .findFirst().orElseThrow();
                assertEquals(draft.draftId(), params.get("draft_id"));
                assertEquals(draft.usage().costUsd(), Double.parseDouble(params.get("describe.cost_usd")), 1e-6);
                assertEquals(minigpt4.usage().costUsd(), Double.parseDouble(params.get("describe.cost_usd"))
                        + Double.parseDouble(params.get("repair.cost_usd")), 1e-6, "cost summed over both steps");
                assertEquals(minigpt4.usage().promptTokens(), draft.usage().promptTokens()
                        + Long.parseLong(params.get("repair.prompt_tokens")), "tokens summed over both steps");
                assertTrue(Long.parseLong(params.get("repair.prompt_tokens")) > 0);
                String description = minigpt4.conversations().get(1).value();
                assertTrue(description.startsWith("A harbor with ") && description.contains("Further back"),
                        "the description and its continuation: " + description);
                assertEquals(1, description.split(java.util.regex.Pattern.quote(LlavaReplies.REPEATED), -1).length - 1,
                        "the repair dropped the repeated sentence: " + description);
                assertEquals("vlm", minigpt4.lineage().generator().kind());
                assertEquals("stub-repair", minigpt4.lineage().generator().params().get("repair_model"));
                assertTrue(minigpt4.usage().costUsd() > 0);
            }
            assertEquals(images.size(), perType.values().stream().mapToInt(Integer::intValue).sum());
            for (ImageIngested image : unrepairable) {
                assertEquals(1, samples.stream().filter(s -> s.imageId().equals(image.imageId())).count(),
                        "an unrepairable image has its llava-instruct sample only");
            }
            int retries = samples.stream().mapToInt(s -> Integer.parseInt(s.lineage().generator().params()
                    .get("retries"))).sum();
            assertTrue(retries <= server.faultsServed(), "no retry without a fault");
            for (ImageIngested image : images) {
                assertEquals(2, countRows("select count(*) from generation.generated_samples where image_id = ? and recipe_id <> 'aa-coco-basic'",
                        image.imageId()), "lineage stored once per sample");
            }
            SelfInstructProfile.IN_FLIGHT.forEach((step, limit) -> {
                if (step.equals("in-context")) {
                    return;
                }
                int seen = server.maxConcurrent("stub-" + step);
                assertTrue(seen >= 1 && seen <= limit, step + ": at most " + limit + " requests at once, saw " + seen);
            });

            // The unanswerable images: rejection records that keep the raw reply, served over REST.
            for (ImageIngested image : marked) {
                String body = RestAssured.given().queryParam("imageId", image.imageId()).get("/rejections").then()
                        .statusCode(200).extract().asString();
                assertTrue(body.contains("unparseable") || body.contains("no_context"), body);
                assertTrue(body.contains(LlavaReplies.REFUSAL), "the raw reply is kept: " + body);
                assertTrue(body.contains("rule_filter") && body.contains("\"step\":\"describe\""),
                        "the describe step's rule filter: " + body);
            }
            for (ImageIngested image : unrepairable) {
                String body = RestAssured.given().queryParam("imageId", image.imageId()).get("/rejections").then()
                        .statusCode(200).extract().asString();
                assertTrue(body.contains("\"step\":\"repair\"") && body.contains("rule_filter"), body);
                assertTrue(body.contains(LlavaReplies.REPAIR_REFUSAL), "the repair's raw reply is kept: " + body);
                assertTrue(body.contains(LlavaReplies.UNREPAIRABLE_SENTENCE), "and the draft it repaired: " + body);
            }
            String metrics = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
            for (String name : List.of("vlit_generation_model_requests_total{", "vlit_generation_model_tokens_total{",
                    "vlit_generation_model_cost_total{", "vlit_generation_model_latency_seconds_count{",
                    "vlit_generation_rejections_total{", "vlit_generation_model_cache_total{")) {
                assertTrue(metrics.contains(name), name + " is exported");
            }
            assertTrue(metrics.contains("outcome=\"throttled\""), "429s are counted");
            for (String step : List.of("describe", "repair")) {
                assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_generation_model_requests_total{")
                        && l.contains("step=\"" + step + "\"")), step + " has its own model metrics");
            }
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vlit_generation_drafts_total{")
                    && l.contains("step=\"describe\"")), "drafts are counted");

            // A re-run of the same images pays nothing: every call is answered from the cache.
            int before = server.requests();
            int firstRun = samples.size();
            all.forEach(image -> send(image));
            awaitUntil("the re-run's samples", () -> siSamples(generated, ids).size() >= firstRun * 2);
            awaitUntil("the re-run's drafts", () -> drafts(drafted, ids).size() >= described.size() * 2);
            awaitUntil("the re-run's rejections", () -> rejections(marked) == marked.size() * 2L);
            List<Sample> again = siSamples(generated, ids);
            assertEquals(firstRun * 2, again.size());
            List<DescriptionDrafted> draftsAgain = drafts(drafted, ids);
            assertEquals(described.size() * 2, draftsAgain.size());
            assertEquals(drafts.stream().map(DescriptionDrafted::draftId).collect(Collectors.toSet()),
                    draftsAgain.stream().map(DescriptionDrafted::draftId).collect(Collectors.toSet()),
                    "the same draft ids");
            assertTrue(draftsAgain.subList(drafts.size(), draftsAgain.size()).stream()
                    .allMatch(d -> d.generator().params().get("cache_hits").equals("2") && d.usage().costUsd() == 0.0),
                    "re-run drafts came from the cache");
            assertEquals(samples.stream().map(Sample::id).collect(Collectors.toSet()),
                    again.stream().map(Sample::id).collect(Collectors.toSet()), "the same sample ids");
            // The rejections are recorded again, not added to.
            awaitUntil("the re-run's repair rejections", () -> rejections(unrepairable) == unrepairable.size());
            assertEquals(before, server.requests(), "no request reached the endpoint on the re-run");
            List<Sample> rerun = again.subList(firstRun, again.size());
            assertTrue(rerun.stream().allMatch(s -> !s.lineage().generator().params().get("cache_hits").equals("0")),
                    "re-run samples say they came from the cache");
            assertTrue(rerun.stream().allMatch(s -> s.usage().costUsd() == 0.0), "and cost nothing");
            for (ImageIngested image : images) {
                assertEquals(2, countRows("select count(*) from generation.generated_samples where image_id = ? and recipe_id <> 'aa-coco-basic'",
                        image.imageId()));
            }
            String metricsAfter = RestAssured.get("/q/metrics").then().extract().asString();
            assertTrue(metricsAfter.contains("outcome=\"hit\""), "cache hits are counted");
            assertFalse(metricsAfter.contains("sk-stub-"), "API keys never appear in metrics");
        } finally {
            generated.stop();
            drafted.stop();
        }
    }

    private static List<String> captionSets() throws Exception {
        List<String> sets = new ArrayList<>();
        for (String type : List.of("conversation", "detail_description", "complex_reasoning")) {
            try (var files = Files.list(io.vlitforge.shared.testing.Fixtures.root().resolve("llava/prompts/" + type))) {
                for (var f : files.filter(p -> p.toString().endsWith("_caps.txt")).sorted().toList()) {
                    // Only the caption lines: the boxes come from the event, in pixels.
                    sets.add(Files.readString(f).split("\n\n")[0]);
                }
            }
        }
        return sets;
    }

    private void send(ImageIngested image) {
        kafka.produceStrings().fromRecords(new ProducerRecord<>(prefix + "images.ingested", image.imageId(),
                EventJson.write(image))).awaitCompletion(Duration.ofSeconds(30));
    }

    private static List<Sample> siSamples(ConsumerTask<String, String> task, Set<String> imageIds) {
        return task.getRecords().stream().map(r -> EventJson.read(r.value(), Sample.class))
                .filter(s -> imageIds.contains(s.imageId()))
                .filter(s -> s.lineage().strategy() == io.vlitforge.shared.events.Strategy.SI).toList();
    }

    private static List<DescriptionDrafted> drafts(ConsumerTask<String, String> task, Set<String> imageIds) {
        // Keyed by image id: the broken drafts the test sends itself carry other keys.
        return task.getRecords().stream().filter(r -> imageIds.contains(r.key()))
                .map(r -> EventJson.read(r.value(), DescriptionDrafted.class)).toList();
    }

    private long rejections(List<ImageIngested> images) {
        long n = 0;
        for (ImageIngested i : images) {
            n += countRows("select count(*) from generation.generation_rejections where image_id = ?", i.imageId());
        }
        return n;
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

    private long countRows(String sql, String param) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, dbUser, null);
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
