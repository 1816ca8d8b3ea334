package io.vlitforge.filtering.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.model.ChatClient;
import io.vlitforge.shared.model.TestEndpoint;
import io.vlitforge.shared.testing.OpenAiStubServer;
import io.vlitforge.shared.testing.OpenAiStubServer.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The model judge with the real shared model client (Vert.x HTTP, retries, breaker) against a local server
 * speaking the OpenAI chat-completions protocol, the only stub; the samples are LLaVA's real seed
 * conversations with the captions and boxes GPT-4 was given for them. The stub answers like a judge model:
 * a high score for a seed answer, a low one naming the object when an answer was edited to add an absent one.
 */
class JudgeFilterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ABSENT = "A small brown dog is sleeping under the table.";

    private Vertx vertx;
    private OpenAiStubServer server;
    private SimpleMeterRegistry metrics;
    private JudgeFilter judge;
    private volatile JsonNode lastRequest;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new OpenAiStubServer().responder(request -> {
            lastRequest = request;
            return judgeReply(request);
        });
        metrics = new SimpleMeterRegistry();
        judge = judge(Set.of(), Set.of(), true);
    }

    @AfterEach
    void stop() {
        judge.close();
        server.close();
        vertx.closeAndAwait();
    }

    private JudgeFilter judge(Set<String> tasks, Set<String> strategies, boolean rejectOnFailure) {
        // A generous timeout: the tests count requests, and a retry after a slow reply on a busy machine would
        // add one.
        TestEndpoint endpoint = new TestEndpoint(server.baseUrl(), "test-model", Optional.of("sk-test-secret"), 0.2,
                256, 0.5, 1.5, 4, 100_000, 100_000_000, Duration.ofSeconds(30), 2, Duration.ofMillis(20),
                Duration.ofMillis(400), 50, Duration.ofMillis(100));
        return new JudgeFilter(new ChatClient(JudgeFilter.METRICS, JudgeFilter.STEP, endpoint, vertx, metrics),
                JudgePrompt.load("v1"), 6, tasks, strategies, rejectOnFailure, metrics);
    }

    /** What a judge model answers: the absent dog gets a low score with a reason, anything else a high one. */
    static String judgeReply(JsonNode request) {
        String user = request.at("/messages/1/content").asText();
        if (user.contains("small brown dog")) {
            return "{\"score\": 2, \"reason\": \"The answer places a dog under the table, but no caption or "
                    + "annotation mentions a dog.\"}";
        }
        return "```json\n{\"score\": 9, \"reason\": \"Accurate, specific and consistent with the captions and "
                + "object counts.\"}\n```";
    }

    private Verdict verdict(Sample sample) {
        return judge.verdict(sample, List.of()).await().atMost(WAIT);
    }

    @Test
    void aSeedAnswerPassesWithTheJudgesScoreAndTheRequestCarriesTheGroundTruth() {
        TestData.Seed seed = TestData.llavaSeeds().stream().filter(s -> s.kind().equals("detail_description"))
                .findFirst().orElseThrow();
        Verdict verdict = verdict(seed.sample());
        assertEquals(Verdict.Outcome.ACCEPTED, verdict.outcome(), verdict.toString());
        assertEquals("model_judge", verdict.filter());
        assertEquals(9.0, verdict.score());
        assertEquals(6.0, verdict.threshold());
        assertNull(verdict.reason());
        assertEquals("1/v1@" + judge.prompt().hash(), verdict.version(), "the verdict names the prompt's hash");
        assertTrue(verdict.detail().startsWith("score 9 >= 6 (model test-model, prompt v1@" + judge.prompt().hash()),
                verdict.detail());
        assertTrue(verdict.detail().endsWith("consistent with the captions and object counts."), verdict.detail());

        assertEquals(1, server.requests());
        JsonNode sent = lastRequest;
        assertEquals("test-model", sent.path("model").asText());
        assertEquals("system", sent.at("/messages/0/role").asText());
        assertTrue(sent.at("/messages/0/content").asText().contains("Reply with one JSON object"));
        String request = sent.at("/messages/1/content").asText();
        assertTrue(request.startsWith("Task: detailed_description"), request);
        for (String caption : seed.truth().captions()) {
            assertTrue(request.contains("- " + caption), "every caption is shown: " + caption);
        }
        seed.truth().objectCounts().forEach((name, n) -> assertTrue(request.contains("- " + name + ": " + n), name));
        assertTrue(request.contains("ASSISTANT: " + seed.lastAnswer().strip().substring(0, 40)));
        assertFalse(request.contains("<image>"), "the image token is for trainers, not the judge");
        assertTrue(server.authorizations().stream().allMatch("Bearer sk-test-secret"::equals));
        assertFalse(verdict.detail().contains("sk-test-secret"));

        assertEquals(1.0, metrics.counter("vlit.filtering.judge.requests", "step", "judge", "model", "test-model",
                "outcome", "ok").count());
        assertTrue(metrics.counter("vlit.filtering.judge.tokens", "step", "judge", "model", "test-model", "kind",
                "prompt").count() > 100, "the prompt tokens of the judge call are counted");
        assertTrue(metrics.counter("vlit.filtering.judge.cost", "step", "judge", "model", "test-model").count() > 0,
                "and priced");
        assertEquals(1.0, metrics.counter("vlit.filtering.judge.replies", "result", "scored").count());
    }

    @Test
    void anAnswerEditedToNameAnAbsentObjectIsRejectedWithTheJudgesReason() {
        TestData.Seed seed = TestData.llavaSeeds().get(0);
        Verdict verdict = verdict(seed.withSentence(ABSENT));
        assertEquals(Verdict.Outcome.REJECTED, verdict.outcome());
        assertEquals(JudgeFilter.LOW_SCORE, verdict.reason());
        assertEquals(2.0, verdict.score());
        assertTrue(verdict.detail().startsWith("score 2 < 6"), verdict.detail());
        assertTrue(verdict.detail().endsWith("but no caption or annotation mentions a dog."), verdict.detail());
    }

    @Test
    void aMalformedReplyIsAClearRejectionOrAnUnjudgedPass() {
        server.responder(r -> "This answer is quite good overall, well written.");
        Sample sample = TestData.llavaSeeds().get(1).sample();
        Verdict rejected = verdict(sample);
        assertEquals(Verdict.Outcome.REJECTED, rejected.outcome());
        assertEquals(JudgeFilter.UNPARSEABLE, rejected.reason());
        assertTrue(rejected.detail().startsWith("no score in the reply (model test-model"), rejected.detail());
        assertTrue(rejected.detail().contains("\"This answer is quite good overall, well written.\""),
                "the detail quotes the reply");
        assertEquals(1, server.requests(), "a reply that came back is not asked again");

        try (JudgeFilter lenient = judge(Set.of(), Set.of(), false)) {
            Verdict passed = lenient.verdict(sample, List.of()).await().atMost(WAIT);
            assertEquals(Verdict.Outcome.ACCEPTED, passed.outcome());
            assertNull(passed.reason());
            assertTrue(passed.detail().startsWith("unjudged (judge.unparseable): no score"), passed.detail());
        }
        assertEquals(2.0, metrics.counter("vlit.filtering.judge.replies", "result", "unparseable").count());
    }

    @Test
    void anEndpointThatKeepsFailingRejectsAfterTheRetriesAndTheNextSampleIsJudgedAgain() {
        server.script(Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR);
        Sample sample = TestData.llavaSeeds().get(2).sample();
        Verdict verdict = verdict(sample);
        assertEquals(Verdict.Outcome.REJECTED, verdict.outcome());
        assertEquals(JudgeFilter.UNAVAILABLE, verdict.reason());
        assertTrue(verdict.detail().startsWith("judge call failed: gave up after 3 attempts: HTTP 500"),
                verdict.detail());
        assertEquals(3, server.requests(), "the first attempt and two retries");
        assertEquals(1.0, metrics.counter("vlit.filtering.judge.replies", "result", "failed").count());
        assertEquals(3.0, metrics.counter("vlit.filtering.judge.requests", "step", "judge", "model", "test-model",
                "outcome", "server_error").count());

        assertEquals(Verdict.Outcome.ACCEPTED, verdict(sample).outcome(), "the endpoint is back: judged again");
        // A 500 then an answer: the retry hides the fault.
        server.script(Fault.SERVER_ERROR);
        assertEquals(9.0, verdict(TestData.llavaSeeds().get(3).sample()).score());
    }

    @Test
    void anUnreachableEndpointNeverFailsTheCaller() {
        server.close();
        try (JudgeFilter lenient = judge(Set.of(), Set.of(), false)) {
            Verdict verdict = lenient.verdict(TestData.llavaSeeds().get(0).sample(), List.of()).await().atMost(WAIT);
            assertEquals(Verdict.Outcome.ACCEPTED, verdict.outcome());
            assertTrue(verdict.detail().startsWith("unjudged (judge.unavailable): judge call failed: gave up after 3 "
                    + "attempts: connection failed"), verdict.detail());
        }
    }

    @Test
    void onlySamplesThatPassedTheFiltersBeforeAndAreAmongTheJudgedTasksCostACall() {
        Sample sample = TestData.llavaSeeds().get(0).sample();
        Verdict earlier = new Verdict("hygiene", "1", 0, 0, Verdict.Outcome.REJECTED, "hygiene.refusal", "x");
        Verdict skipped = judge.verdict(sample, List.of(earlier)).await().atMost(WAIT);
        assertEquals(Verdict.Outcome.ACCEPTED, skipped.outcome());
        assertEquals("not judged: rejected by an earlier filter", skipped.detail());

        try (JudgeFilter onlyReasoning = judge(Set.of("complex_reasoning"), Set.of(), true)) {
            assertEquals(sample.task(), "conversation");
            Verdict other = onlyReasoning.verdict(sample, List.of()).await().atMost(WAIT);
            assertTrue(other.detail().startsWith("not judged: task conversation"), other.detail());
        }
        try (JudgeFilter onlySelfInstruct = judge(Set.of(), Set.of("si"), true)) {
            Verdict adapted = onlySelfInstruct.verdict(sample, List.of()).await().atMost(WAIT);
            assertTrue(adapted.detail().endsWith("strategy AA is not judged"), adapted.detail());
        }
        assertEquals(0, server.requests(), "no model call for any of them");
    }

    @Test
    void theJudgeIsPartOfTheChainOnlyWhenOnAndItsPromptIsInTheVersion() {
        FilterChain off = TestData.chain();
        assertNull(off.judge());
        assertFalse(TestData.config().judge().enabled(), "off by default in application.properties");
        assertFalse(off.stepName().contains("model_judge"));

        FilterChain on = FilterChain.from(TestData.config(), judge);
        assertEquals("format+length+hygiene+hallucination+complexity+model_judge+exact_duplicate+near_duplicate"
                + "+near_image+novelty+quota", on.stepName());
        FilterChain.FilterDescription described = on.describe().get(5);
        assertEquals("model_judge", described.name());
        assertEquals(judge.prompt().hash(), described.parameters().get("promptHash"));
        assertEquals("test-model", described.parameters().get("model"));
        assertFalse(described.parameters().toString().contains("sk-test-secret"), "no key in the parameters");
        assertFalse(described.parameters().toString().contains(server.baseUrl()), "nor the endpoint's URL");
        assertFalse(on.version().equals(off.version()));
        assertEquals(JudgePrompt.load("v1").hash(), judge.prompt().hash(), "the hash is stable");
    }
}
