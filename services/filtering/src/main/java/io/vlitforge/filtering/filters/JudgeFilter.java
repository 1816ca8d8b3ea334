package io.vlitforge.filtering.filters;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.model.ChatClient;
import io.vlitforge.shared.model.ChatResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The optional model-as-judge: an OpenAI-compatible model scores a sample's conversation from 1 to 10
 * against the sample's ground truth (captions and object counts) with a versioned prompt, and a score
 * below the threshold rejects the sample with the judge's own reason. It is the one filter that costs
 * money and time, so it only judges samples that passed every content filter before it (a sample already
 * rejected gets a "not judged" verdict, not a model call), and only the tasks and strategies it is given.
 * It goes through the same {@link ChatClient} as generation's self-instruct steps: in-flight and rate
 * limits, retries with backoff and a circuit breaker. A failed call or a reply without a score never fails
 * the batch: by default it rejects the sample with {@value #UNAVAILABLE} or {@value #UNPARSEABLE} (only
 * judged samples reach a release), or, with {@code rejectOnFailure=false}, passes it with an
 * {@code unjudged} verdict.
 */
public final class JudgeFilter implements AutoCloseable {

    public static final String NAME = "model_judge";
    public static final String VERSION = "1";
    public static final String LOW_SCORE = "judge.low_score";
    public static final String UNPARSEABLE = "judge.unparseable";
    public static final String UNAVAILABLE = "judge.unavailable";
    /** The step tag of the judge's model metrics. */
    public static final String STEP = "judge";
    /** The prefix of the judge's model metrics ({@code .requests}, {@code .tokens}, {@code .cost}, ...). */
    public static final String METRICS = "vlit.filtering.judge";

    private final ChatClient client;
    private final JudgePrompt prompt;
    private final double threshold;
    private final Set<String> tasks;
    private final Set<String> strategies;
    private final boolean rejectOnFailure;
    private final Counter scored;
    private final Counter unparseable;
    private final Counter failed;

    /**
     * @param tasks the tasks judged, empty for every task
     * @param strategies the strategies judged ({@code AA}, {@code SI}), empty for every strategy
     */
    public JudgeFilter(ChatClient client, JudgePrompt prompt, double threshold, Set<String> tasks,
            Set<String> strategies, boolean rejectOnFailure, MeterRegistry metrics) {
        if (threshold < 1 || threshold > 10) {
            throw new IllegalArgumentException("the judge's threshold is a score from 1 to 10, got " + threshold);
        }
        this.client = client;
        this.prompt = prompt;
        this.threshold = threshold;
        this.tasks = new TreeSet<>(tasks);
        this.strategies = new TreeSet<>();
        strategies.forEach(s -> this.strategies.add(s.toUpperCase(Locale.ROOT)));
        this.rejectOnFailure = rejectOnFailure;
        this.scored = metrics.counter(METRICS + ".replies", "result", "scored");
        this.unparseable = metrics.counter(METRICS + ".replies", "result", "unparseable");
        this.failed = metrics.counter(METRICS + ".replies", "result", "failed");
    }

    /** The filter version with the prompt's version and hash, so every verdict names the prompt that scored it. */
    public String version() {
        return VERSION + "/" + prompt.version() + "@" + prompt.hash();
    }

    /** What decides a verdict; the endpoint's URL and key are deployment details and stay out. */
    public Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("model", client.endpoint().model());
        parameters.put("temperature", client.endpoint().temperature());
        parameters.put("maxTokens", client.endpoint().maxTokens());
        parameters.put("threshold", threshold);
        parameters.put("tasks", tasks.isEmpty() ? "all" : tasks);
        parameters.put("strategies", strategies.isEmpty() ? "all" : strategies);
        parameters.put("promptVersion", prompt.version());
        parameters.put("promptHash", prompt.hash());
        parameters.put("onFailure", rejectOnFailure ? "reject" : "pass");
        return parameters;
    }

    public double threshold() {
        return threshold;
    }

    public JudgePrompt prompt() {
        return prompt;
    }

    /** Whether the sample's task and strategy are among those judged. */
    public boolean appliesTo(Sample sample) {
        if (!tasks.isEmpty() && !tasks.contains(sample.task())) {
            return false;
        }
        String strategy = sample.lineage() == null || sample.lineage().strategy() == null ? null
                : sample.lineage().strategy().name();
        return strategies.isEmpty() || strategies.contains(strategy);
    }

    /**
     * The judge's verdict on a sample given the verdicts of the filters before it: a model call only for a
     * sample that passed them all and is among the tasks and strategies judged. Never fails.
     */
    public Uni<Verdict> verdict(Sample sample, List<Verdict> earlier) {
        if (earlier.stream().anyMatch(v -> v.outcome() == Verdict.Outcome.REJECTED)) {
            return Uni.createFrom().item(notJudged("rejected by an earlier filter"));
        }
        if (!appliesTo(sample)) {
            return Uni.createFrom().item(notJudged("task " + sample.task() + " / strategy "
                    + (sample.lineage() == null ? null : sample.lineage().strategy()) + " is not judged"));
        }
        return Uni.createFrom().deferred(() -> client.complete(prompt.messages(sample)))
                .map(this::fromReply)
                .onFailure().recoverWithItem(this::fromFailure);
    }

    /** An accepted verdict without a model call. */
    public Verdict notJudged(String why) {
        return new Verdict(NAME, version(), 0.0, threshold, Verdict.Outcome.ACCEPTED, null, "not judged: " + why);
    }

    private Verdict fromReply(ChatResult result) {
        JudgeReply reply = JudgeReply.parse(result.content());
        String by = String.format(Locale.ROOT, "model %s, prompt %s@%s, %d+%d tokens", result.model(),
                prompt.version(), prompt.hash(), result.promptTokens(), result.completionTokens());
        if (!reply.scored()) {
            unparseable.increment();
            return couldNotJudge(UNPARSEABLE, reply.problem() + " (" + by + "): \""
                    + JudgeReply.snippet(result.content(), 300) + "\"");
        }
        scored.increment();
        boolean passes = reply.score() >= threshold;
        String detail = String.format(Locale.ROOT, "score %s %s %s (%s): %s", JudgeReply.trim(reply.score()),
                passes ? ">=" : "<", JudgeReply.trim(threshold), by, reply.reason().isEmpty() ? "no reason given"
                        : reply.reason());
        return new Verdict(NAME, version(), reply.score(), threshold,
                passes ? Verdict.Outcome.ACCEPTED : Verdict.Outcome.REJECTED, passes ? null : LOW_SCORE, detail);
    }

    private Verdict fromFailure(Throwable e) {
        failed.increment();
        // The client's messages name the status and attempts, never the key.
        return couldNotJudge(UNAVAILABLE, "judge call failed: " + JudgeReply.snippet(e.getMessage(), 300));
    }

    private Verdict couldNotJudge(String reason, String detail) {
        if (rejectOnFailure) {
            return new Verdict(NAME, version(), 0.0, threshold, Verdict.Outcome.REJECTED, reason, detail);
        }
        return new Verdict(NAME, version(), 0.0, threshold, Verdict.Outcome.ACCEPTED, null,
                "unjudged (" + reason + "): " + detail);
    }

    @Override
    public void close() {
        client.close();
    }
}
