package io.vlitforge.filtering.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vlitforge.shared.model.ModelEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the filtering service reads from configuration, in one place. The filter parameters live
 * in {@code application.properties} under {@code vlit.filters.*} like a recipe, so what decides a
 * verdict can be read (and overridden) without reading code.
 */
@ConfigMapping(prefix = "vlit")
public interface FilteringConfig {

    /** Prepended to topic and group names (used in the channel configuration). */
    Optional<String> topicPrefix();

    Filters filters();

    interface Filters {
        Length length();

        Hygiene hygiene();

        Hallucination hallucination();

        Complexity complexity();

        NearDuplicate nearDuplicate();

        NearImage nearImage();

        Novelty novelty();

        Quota quota();

        Judge judge();
    }

    /**
     * The optional model-as-judge: a model scores each sample that passed the content filters against the
     * sample's ground truth, through the same client as generation's self-instruct steps.
     */
    interface Judge {
        /** Off by default: every judged sample is a model call, and the judge is only as good as its model. */
        @WithDefault("false")
        boolean enabled();

        /** The OpenAI-compatible endpoint and how politely to use it (limits, retries, circuit breaker). */
        JudgeEndpoint endpoint();

        /** The lowest score (1..10) that passes. */
        @WithDefault("6")
        double threshold();

        /** The tasks judged; absent means every task. */
        Optional<Set<String>> tasks();

        /** The strategies judged ({@code AA}, {@code SI}); absent means every strategy. */
        Optional<Set<String>> strategies();

        /** The prompt folder on the classpath, {@code judge/<version>/{system,user}.txt}. */
        @WithDefault("v1")
        String promptVersion();

        /** What a failed call or an unparseable reply means for the sample. */
        @WithDefault("reject")
        OnFailure onFailure();
    }

    /** What the judge does with a sample it could not score. */
    enum OnFailure {
        /** Reject with {@code judge.unavailable} or {@code judge.unparseable}: only judged samples pass. */
        REJECT,
        /** Accept with an {@code unjudged} verdict: throughput over the gate. */
        PASS
    }

    /** The judge's endpoint, with defaults for a judge: deterministic, short replies. */
    interface JudgeEndpoint extends ModelEndpoint {
        @Override
        String baseUrl();

        @Override
        String model();

        @Override
        Optional<String> apiKey();

        @Override
        @WithDefault("0.0")
        double temperature();

        @Override
        @WithDefault("256")
        int maxTokens();

        @Override
        @WithDefault("0")
        double pricePer1kPromptTokens();

        @Override
        @WithDefault("0")
        double pricePer1kCompletionTokens();

        @Override
        @WithDefault("8")
        int maxInFlight();

        @Override
        @WithDefault("600")
        int requestsPerMinute();

        @Override
        @WithDefault("400000")
        int tokensPerMinute();

        @Override
        @WithDefault("60s")
        Duration timeout();

        @Override
        @WithDefault("6")
        int maxRetries();

        @Override
        @WithDefault("200ms")
        Duration initialBackoff();

        @Override
        @WithDefault("30s")
        Duration maxBackoff();

        @Override
        @WithDefault("5")
        int breakerFailureThreshold();

        @Override
        @WithDefault("10s")
        Duration breakerOpenFor();
    }

    interface Novelty {
        /** Off by default: template instructions repeat by design. */
        boolean enabled();

        /** ROUGE-L F1 at or above which the instructions are not new (Self-Instruct: 0.7). */
        double threshold();

        Scope scope();

        /** How many of the scope's most recent pool entries a sample is compared with. */
        int poolSize();
    }

    interface Complexity {
        /** Where each part of the score reaches 1. */
        Caps caps();

        List<String> reasoningMarkers();

        /** The minimum score of a task that has none of its own (0: anything passes). */
        double defaultMinScore();

        /** Minimum score per task, because a brief caption and a reasoning answer differ by design. */
        Map<String, Double> minScore();
    }

    interface Caps {
        int turns();

        int answerWords();

        int reasoningMarkers();

        int objects();
    }

    interface Quota {
        /** The most samples accepted per task; a task not listed has no limit. */
        Map<String, Long> tasks();

        /** The most samples accepted per source data set (the lineage's source dataset). */
        Map<String, Long> sources();
    }

    interface Hallucination {
        /** The object vocabulary on the classpath (synonyms and the lists that keep generic uses out). */
        String vocabulary();

        /** The highest hallucinated / asserted mentions ratio that passes; 0 rejects any hallucinated object. */
        double maxScore();

        /** Whether "three dogs" is checked against the number of dog boxes. */
        boolean checkCounts();
    }

    interface Length {
        /** The bounds of a task that has none of its own. */
        Bounds defaults();

        /** Bounds per task name, because a brief caption and a detailed description differ by design. */
        Map<String, Bounds> tasks();
    }

    interface Bounds {
        int min();

        int max();
    }

    interface Hygiene {
        List<String> refusalPhrases();

        List<String> leakPhrases();

        /** Tasks whose answers legitimately carry coordinates (grounding); none by default. */
        Optional<Set<String>> coordinateTasks();

        Repetition repetition();
    }

    interface Repetition {
        /** The longest phrase, in words, whose back-to-back repetition is looked for. */
        int maxPeriod();

        /** Copies in a row of a phrase of two or more words that make an answer degenerate. */
        int minRepeats();

        /** Copies in a row of one word ("very very very" is still English, four is not). */
        int minWordRepeats();
    }

    interface NearImage {
        /** The most bits (of 64) two different images' perceptual hashes may differ by and still be duplicates. */
        int maxDistance();

        /** Bands the hash is split into to find candidates; must exceed max-distance (pigeonhole). */
        int bands();
    }

    interface NearDuplicate {
        int shingleWords();

        int bands();

        int rows();

        double threshold();

        /** {@code image}: only samples of the same image can be near-duplicates; {@code global}: any two. */
        Scope scope();
    }

    enum Scope {
        IMAGE,
        GLOBAL
    }
}
