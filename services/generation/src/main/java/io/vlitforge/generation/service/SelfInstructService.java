package io.vlitforge.generation.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vlitforge.generation.config.GenerationConfig;
import io.vlitforge.shared.model.ChatClient;
import io.vlitforge.shared.model.ChatMessage;
import io.vlitforge.shared.model.ChatResult;
import io.vlitforge.shared.model.ModelCallException;
import io.vlitforge.generation.repository.GenerationRepository;
import io.vlitforge.generation.repository.SelfInstructRepository;
import io.vlitforge.generation.repository.SelfInstructRepository.Rejection;
import io.vlitforge.generation.selfinstruct.LlavaInstructRecipe;
import io.vlitforge.generation.selfinstruct.MiniGpt4Recipe;
import io.vlitforge.generation.selfinstruct.ReplyParser;
import io.vlitforge.generation.selfinstruct.ResponseType;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The self-instruct steps: for a batch of images, the model calls of one step (all in flight together,
 * within the step's limits), their replies parsed into samples or rejection records, and both written
 * before the samples are sent. A reply that cannot be parsed, or a call that failed after every retry,
 * becomes a rejection record (with the raw reply when there was one), never a lost image or a stopped
 * consumer.
 */
@ApplicationScoped
public class SelfInstructService {

    private static final Logger LOG = Logger.getLogger(SelfInstructService.class);
    /** Self-instruct contexts give boxes as normalised corners with three decimals. */
    public static final String BOX_CONVENTION = "normalised_xyxy_3dp";
    public static final String DESCRIBE_REPAIR = "describe-repair";

    private final ChatClients clients;
    private final ModelCalls calls;
    private final ImageReader images;
    private final GenerationRepository generation;
    private final SelfInstructRepository repository;
    private final MeterRegistry metrics;
    private final LlavaInstructRecipe llava;
    private final MiniGpt4Recipe minigpt4;

    public SelfInstructService(ChatClients clients, ModelCalls calls, ImageReader images,
            GenerationRepository generation, SelfInstructRepository repository, MeterRegistry metrics,
            GenerationConfig config) {
        this.clients = clients;
        this.calls = calls;
        this.images = images;
        this.generation = generation;
        this.repository = repository;
        this.metrics = metrics;
        this.llava = new LlavaInstructRecipe(config.sceneGraph());
        this.minigpt4 = new MiniGpt4Recipe(config.describeRepair().minDescriptionTokens());
    }

    public LlavaInstructRecipe llava() {
        return llava;
    }

    public MiniGpt4Recipe minigpt4() {
        return minigpt4;
    }

    /** One sample or one rejection for an image. */
    private record Outcome(ImageIngested image, Sample sample, Rejection rejection) {
    }

    /** LLaVA's response type {@code type} for the images of a batch that drew it; returns their samples. */
    public Uni<List<Sample>> llavaInstruct(ResponseType type, List<ImageIngested> batch) {
        List<ImageIngested> mine = batch.stream().filter(i -> llava.typeFor(i.imageId()) == type).toList();
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        List<Uni<Outcome>> work = new ArrayList<>();
        for (ImageIngested image : mine) {
            work.add(llavaOne(type, image, now));
        }
        return record(llava.recipe(), mine, work);
    }

    /** MiniGPT-4 stage 2 for every image of a batch; returns the samples. */
    public Uni<List<Sample>> describeAndRepair(List<ImageIngested> batch) {
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        List<Uni<Outcome>> work = new ArrayList<>();
        for (ImageIngested image : batch) {
            work.add(describeOne(image, now));
        }
        return record(minigpt4.recipe(), batch, work);
    }

    private Uni<Outcome> llavaOne(ResponseType type, ImageIngested image, String now) {
        String promptHash = llava.prompts(type).hash();
        if (!llava.hasContext(image)) {
            return Uni.createFrom().item(rejection(image, LlavaInstructRecipe.ID, type.step(), null, promptHash,
                    "no_context", "the image has no captions or boxes to describe", null, now));
        }
        ChatClient client = clients.forStep(type.step());
        String model = client.endpoint().model();
        return calls.call(client, llava.messages(type, image))
                .map(result -> {
                    UsageTally tally = new UsageTally().add(result);
                    try {
                        List<Turn> turns = llava.parse(type, image.imageId(), result.content());
                        long seed = llava.seed(image.imageId(), type);
                        Map<String, String> params = params(client, tally);
                        return new Outcome(image, sample(image, llava.recipe(), type.task(), type.category(),
                                llava.prompts(type).id(), seed, new Generator("llm", model, promptHash, params), turns,
                                tally, type.step(), now), null);
                    } catch (ReplyParser.Unparseable e) {
                        return new Outcome(image, null, rejection(image, LlavaInstructRecipe.ID, type.step(), model,
                                promptHash, "unparseable", e.getMessage(), result.content(),
                                now).rejection());
                    }
                })
                .onFailure(ModelCallException.class).recoverWithItem(e -> rejection(image, LlavaInstructRecipe.ID,
                        type.step(), model, promptHash, "model_unavailable", e.getMessage(),
                        null, now));
    }

    private Uni<Outcome> describeOne(ImageIngested image, String now) {
        ChatClient describer = clients.forStep("describe");
        ChatClient repairer = clients.forStep("repair");
        String promptHash = minigpt4.promptHash();
        String model = describer.endpoint().model();
        String instruction = minigpt4.describePrompts().text("instruction.txt");
        String imageRef = "image:" + image.imageId();
        Uni<String> url = images.imageUrl(image.imageKey(), image.format()).memoize().indefinitely();
        List<ChatMessage> key = List.of(ChatMessage.userWithImage(instruction, imageRef));
        UsageTally tally = new UsageTally();
        return calls.call(describer, url.map(u -> List.of(ChatMessage.userWithImage(instruction, u))), key,
                        describer.endpoint().maxTokens())
                .chain(first -> {
                    tally.add(first);
                    if (first.completionTokens() >= minigpt4.minDescriptionTokens()) {
                        return Uni.createFrom().item(first.content().strip());
                    }
                    // Too short: ask the same model to go on, in the same conversation.
                    String more = minigpt4.describePrompts().text("continue.txt");
                    List<ChatMessage> keyMore = List.of(key.get(0), ChatMessage.assistant(first.content()),
                            ChatMessage.user(more));
                    return calls.call(describer, url.map(u -> List.of(ChatMessage.userWithImage(instruction, u),
                                    ChatMessage.assistant(first.content()), ChatMessage.user(more))), keyMore,
                                    describer.endpoint().maxTokens())
                            .map(second -> {
                                tally.add(second);
                                return (first.content().strip() + " " + second.content().strip()).strip();
                            });
                })
                .chain(description -> calls.call(repairer, List.of(
                                ChatMessage.system(minigpt4.repairPrompts().system()), ChatMessage.user(description)))
                        .map(repaired -> {
                            tally.add(repaired);
                            String text = repaired.content().strip();
                            var violation = minigpt4.ruleViolation(text);
                            if (violation.isPresent()) {
                                return rejection(image, MiniGpt4Recipe.ID, DESCRIBE_REPAIR, model, promptHash,
                                        "rule_filter", violation.get(), "description:\n" + description
                                                + "\n\nrepaired:\n" + repaired.content(), now);
                            }
                            Map<String, String> params = params(describer, tally);
                            params.put("repair_model", repairer.endpoint().model());
                            params.put("continued", Boolean.toString(tally.accounting().get("calls").equals("3")));
                            List<Turn> turns = List.of(Turn.human(Turn.IMAGE_TOKEN + "\n" + minigpt4.question(
                                    image.imageId())), Turn.gpt(text));
                            return new Outcome(image, sample(image, minigpt4.recipe(), MiniGpt4Recipe.TASK,
                                    MiniGpt4Recipe.CATEGORY, minigpt4.describePrompts().id() + "+"
                                            + minigpt4.repairPrompts().id(), minigpt4.seed(image.imageId()),
                                    new Generator("vlm", model, promptHash, params), turns, tally, DESCRIBE_REPAIR,
                                    now), null);
                        }))
                .onFailure(e -> e instanceof ModelCallException || e instanceof IllegalStateException)
                .recoverWithItem(e -> rejection(image, MiniGpt4Recipe.ID, DESCRIBE_REPAIR, model, promptHash,
                        e instanceof ModelCallException ? "model_unavailable" : "image_unreadable",
                        e.getMessage(), null, now));
    }

    /**
     * Waits for every image's outcome, then, back on the consumer's Vert.x context (Hibernate Reactive
     * needs it), writes the rejections and the samples' lineage.
     */
    private Uni<List<Sample>> record(Recipe recipe, List<ImageIngested> processed, List<Uni<Outcome>> work) {
        if (work.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Context context = Vertx.currentContext();
        Executor back = context == null ? Runnable::run : command -> context.runOnContext(v -> command.run());
        return Uni.join().all(work).andFailFast()
                .emitOn(back)
                .chain(outcomes -> {
                    List<Sample> samples = outcomes.stream().filter(o -> o.sample() != null).map(Outcome::sample)
                            .toList();
                    List<Rejection> rejections = outcomes.stream().filter(o -> o.rejection() != null)
                            .map(Outcome::rejection).toList();
                    rejections.forEach(r -> {
                        metrics.counter("vlit.generation.rejections", "step", r.step(), "reason",
                                r.rejectionId() == null ? "unknown" : reasonTag(r)).increment();
                        LOG.infof("image %s rejected by %s: %s", r.imageId(), r.step(), r.reason());
                    });
                    return repository.reject(rejections)
                            .chain(() -> generation.recordGenerated(processed, recipe, samples,
                                    OffsetDateTime.now(ZoneOffset.UTC)))
                            .replaceWith(samples);
                });
    }

    private static Map<String, String> params(ChatClient client, UsageTally tally) {
        Map<String, String> params = new TreeMap<>(tally.accounting());
        params.put("temperature", String.format(Locale.ROOT, "%s", client.endpoint().temperature()));
        params.put("max_tokens", Integer.toString(client.endpoint().maxTokens()));
        return params;
    }

    private static Sample sample(ImageIngested image, Recipe recipe, String task, String category, String templateId,
            long seed, Generator generator, List<Turn> turns, UsageTally tally, String step, String now) {
        String id = Ids.sampleId(image.imageId(), recipe.id(), recipe.version(), task, templateId, seed);
        Lineage lineage = new Lineage(Strategy.SI, recipe, templateId, seed, generator, BOX_CONVENTION, image.source(),
                List.of(new LineageStep("generation", "self-instruct/" + step, recipe.version(), now)));
        return new Sample(Sample.SCHEMA_VERSION, id, image.imageId(), image.imageKey(), turns, task, category,
                image.licence(), lineage, tally.usage(), now, image.groundTruth());
    }

    private Outcome rejection(ImageIngested image, String recipeId, String step, String model, String promptHash,
            String kind, String reason, String raw, String now) {
        String id = Ids.sampleId(image.imageId(), recipeId, "rejection", step, "", 0);
        return new Outcome(image, null, new Rejection(id, image.imageId(), recipeId, step, model, promptHash,
                kind + ": " + reason, raw, OffsetDateTime.parse(now)));
    }

    private static String reasonTag(Rejection r) {
        int colon = r.reason().indexOf(':');
        return colon > 0 ? r.reason().substring(0, colon) : "other";
    }
}
