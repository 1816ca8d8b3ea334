package io.vlitforge.generation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the generation service reads from configuration, in one place: the object store (for the
 * images a vision model is shown) and one model endpoint per self-instruct step, so that each step can
 * point at its own server, model, key, price and limits.
 */
@ConfigMapping(prefix = "vlit.generation")
public interface GenerationConfig {

    @WithName("object-store")
    ObjectStore objectStore();

    /** Annotation adaption: which recipes the adaption step runs, and where user task files and recipes live. */
    Adaption adaption();

    /**
     * Model endpoints by step name ({@code conversation}, {@code detail}, {@code reasoning}, {@code describe},
     * {@code repair}, {@code in-context}).
     */
    Map<String, ModelEndpoint> steps();

    /** Add Visual Genome attributes, relations and regions to the symbolic context when an image has them. */
    @WithName("scene-graph")
    @WithDefault("true")
    boolean sceneGraph();

    /** MiniGPT-4 stage 2: how long a description must be before it is repaired instead of continued. */
    @WithName("describe-repair")
    DescribeRepair describeRepair();

    /** The in-context variant: how many accepted samples it shows the model as few-shot examples. */
    @WithName("in-context")
    InContext inContext();

    interface ObjectStore {
        String endpoint();

        String accessKey();

        String secretKey();

        String bucket();

        /** Send the image inline as a data URL ({@code true}) or as a presigned URL the endpoint fetches. */
        @WithDefault("true")
        boolean inlineImages();
    }

    interface Adaption {
        /** The recipes run on every ingested image, by name (shipped, or {@code <name>.yaml} in {@link #recipeDir()}). */
        @WithDefault("aa-coco-basic")
        List<String> recipes();

        /** A folder of task files that add to (or replace tasks of) the shipped library. */
        Optional<java.nio.file.Path> libraryDir();

        /** A folder of recipe files; a recipe here wins over a shipped one of the same name. */
        Optional<java.nio.file.Path> recipeDir();

        /** Images read from the store per page when a run regenerates stored images under a recipe. */
        @WithDefault("200")
        int regeneratePageSize();
    }

    interface DescribeRepair {
        /** A description with fewer completion tokens than this gets one continuation request. */
        @WithDefault("80")
        int minDescriptionTokens();
    }

    interface InContext {
        /** Examples per request, all of the image's response type; the static seeds when the pool has none. */
        @WithDefault("2")
        int examples();
    }

    /**
     * One OpenAI-compatible chat-completions endpoint and how to use it politely. The API key is read
     * from a secret (environment variable) and never logged. The client that uses it is shared
     * ({@link io.vlitforge.shared.model.ChatClient}); this interface gives the defaults.
     */
    interface ModelEndpoint extends io.vlitforge.shared.model.ModelEndpoint {
        /** Base URL up to and including {@code /v1}; the client appends {@code /chat/completions}. */
        String baseUrl();

        String model();

        Optional<String> apiKey();

        @WithDefault("0.2")
        double temperature();

        @WithDefault("1024")
        int maxTokens();

        /** USD per 1000 prompt tokens. */
        @WithDefault("0")
        double pricePer1kPromptTokens();

        /** USD per 1000 completion tokens. */
        @WithDefault("0")
        double pricePer1kCompletionTokens();

        /** Requests on the wire at once; more wait for a permit. */
        @WithDefault("16")
        int maxInFlight();

        @WithDefault("600")
        int requestsPerMinute();

        @WithDefault("200000")
        int tokensPerMinute();

        /** A request with no complete reply after this long is abandoned and retried. */
        @WithDefault("60s")
        Duration timeout();

        /** Retries after the first attempt on 429, 5xx, timeouts and malformed bodies. */
        @WithDefault("6")
        int maxRetries();

        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("30s")
        Duration maxBackoff();

        /** Consecutive failed attempts that open the circuit breaker. */
        @WithDefault("5")
        int breakerFailureThreshold();

        /** How long an open breaker holds every request back before one trial request. */
        @WithDefault("10s")
        Duration breakerOpenFor();
    }
}
