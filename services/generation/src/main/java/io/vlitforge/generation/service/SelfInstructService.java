package io.vlitforge.generation.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vlitforge.generation.config.GenerationConfig;
import io.vlitforge.generation.repository.ExamplePoolRepository;
import io.vlitforge.generation.repository.ExamplePoolRepository.SampleContext;
import io.vlitforge.shared.model.ChatClient;
import io.vlitforge.shared.model.ChatMessage;
import io.vlitforge.shared.model.ModelCallException;
import io.vlitforge.generation.repository.GenerationRepository;
import io.vlitforge.generation.repository.SelfInstructRepository;
import io.vlitforge.generation.repository.SelfInstructRepository.Rejection;
import io.vlitforge.generation.selfinstruct.InContextRecipe;
import io.vlitforge.generation.selfinstruct.InContextRecipe.Example;
import io.vlitforge.generation.selfinstruct.LlavaInstructRecipe;
import io.vlitforge.generation.selfinstruct.MiniGpt4Recipe;
import io.vlitforge.generation.selfinstruct.ReplyParser;
import io.vlitforge.generation.selfinstruct.ResponseType;
import io.vlitforge.shared.events.DescriptionDrafted;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.logging.LogFields;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The self-instruct steps: for a batch of images (or drafts), the model calls of one step (all in flight
 * together, within the step's limits), their replies parsed into samples, drafts or rejection records,
 * and all of it written before anything is sent. A reply that cannot be parsed, or a call that failed
 * after every retry, becomes a rejection record (with the raw reply when there was one), never a lost
 * image or a stopped consumer. MiniGPT-4's stage 2 is two steps: {@link #describe} drafts (vision model,
 * with a continuation when short) and {@link #repair} turns a draft into the sample (text model), so each
 * deploys and scales with its own model. Built at startup, so that a recipe misconfigured (a missing
 * prompt resource, fewer than one in-context example) stops the service with the reason at once.
 */
@ApplicationScoped
@Startup
public class SelfInstructService {

    private static final Logger LOG = Logger.getLogger(SelfInstructService.class);
    /** Self-instruct contexts give boxes as normalised corners with three decimals. */
    public static final String BOX_CONVENTION = "normalised_xyxy_3dp";
    /** The step names of MiniGPT-4's stage 2 (endpoint configuration, metrics tags, rejection records). */
    public static final String DESCRIBE = "describe";
    public static final String REPAIR = "repair";

    private final ChatClients clients;
    private final ModelCalls calls;
    private final ImageReader images;
    private final GenerationRepository generation;
    private final SelfInstructRepository repository;
    private final ExamplePoolRepository examplePool;
    private final MeterRegistry metrics;
    private final LlavaInstructRecipe llava;
    private final MiniGpt4Recipe minigpt4;
    private final InContextRecipe inContext;

    public SelfInstructService(ChatClients clients, ModelCalls calls, ImageReader images,
            GenerationRepository generation, SelfInstructRepository repository, ExamplePoolRepository examplePool,
            MeterRegistry metrics, GenerationConfig config) {
        this.clients = clients;
        this.calls = calls;
        this.images = images;
        this.generation = generation;
        this.repository = repository;
        this.examplePool = examplePool;
        this.metrics = metrics;
        this.llava = new LlavaInstructRecipe(config.sceneGraph());
        this.minigpt4 = new MiniGpt4Recipe(config.describeRepair().minDescriptionTokens());
        this.inContext = new InContextRecipe(llava, config.inContext().examples());
    }

    public LlavaInstructRecipe llava() {
        return llava;
    }

    public MiniGpt4Recipe minigpt4() {
        return minigpt4;
    }

    public InContextRecipe inContext() {
        return inContext;
    }

    /**
     * One sample or one rejection for an image; {@code context} is the symbolic context a text model was
     * shown, kept for the example pool.
     */
    private record Outcome(ImageIngested image, Sample sample, Rejection rejection, String context) {
        Outcome(ImageIngested image, Sample sample, Rejection rejection) {
            this(image, sample, rejection, null);
        }
    }

    /** One draft or one rejection for an image (the describe step). */
    private record DraftOutcome(ImageIngested image, DescriptionDrafted draft, Rejection rejection) {
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

    /** The in-context variant for every image of a batch, each of its drawn response type; returns the samples. */
    public Uni<List<Sample>> inContext(List<ImageIngested> batch) {
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        List<Uni<Outcome>> work = new ArrayList<>();
        for (ImageIngested image : batch) {
            work.add(inContextOne(image, now));
        }
        return record(inContext.recipe(), batch, work);
    }

    /** MiniGPT-4 stage 2, first step: a draft description for every image of a batch; returns the drafts. */
    public Uni<List<DescriptionDrafted>> describe(List<ImageIngested> batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        List<Uni<DraftOutcome>> work = new ArrayList<>();
        for (ImageIngested image : batch) {
            work.add(describeOne(image, now));
        }
        Executor back = callersContext();
        return Uni.join().all(work).andFailFast()
                .emitOn(back)
                .chain(outcomes -> {
                    List<DescriptionDrafted> drafts = outcomes.stream().filter(o -> o.draft() != null)
                            .map(DraftOutcome::draft).toList();
                    List<Rejection> rejections = outcomes.stream().filter(o -> o.rejection() != null)
                            .map(DraftOutcome::rejection).toList();
                    // An image rejected here is done for this recipe (no sample); one with a draft is recorded
                    // by the repair step, with the sample it makes.
                    List<ImageIngested> done = outcomes.stream().filter(o -> o.rejection() != null)
                            .map(DraftOutcome::image).toList();
                    count(rejections);
                    return repository.reject(rejections)
                            .chain(() -> done.isEmpty() ? Uni.createFrom().voidItem()
                                    : generation.recordGenerated(done, minigpt4.recipe(), List.of(),
                                            OffsetDateTime.now(ZoneOffset.UTC)))
                            .replaceWith(drafts);
                });
    }

    /** MiniGPT-4 stage 2, second step: the repaired sample for every draft of a batch; returns the samples. */
    public Uni<List<Sample>> repair(List<DescriptionDrafted> drafts) {
        String now = OffsetDateTime.now(ZoneOffset.UTC).toString();
        List<Uni<Outcome>> work = new ArrayList<>();
        Map<String, ImageIngested> processed = new LinkedHashMap<>();
        for (DescriptionDrafted draft : drafts) {
            processed.put(draft.image().imageId(), draft.image());
            work.add(repairOne(draft, now));
        }
        return record(minigpt4.recipe(), List.copyOf(processed.values()), work);
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
                                tally, steps(type.step(), LlavaInstructRecipe.VERSION, now)), null, llava.context(image));
                    } catch (ReplyParser.Unparseable e) {
                        return rejection(image, LlavaInstructRecipe.ID, type.step(), model, promptHash, "unparseable",
                                e.getMessage(), result.content(), now);
                    }
                })
                .onFailure(ModelCallException.class).recoverWithItem(e -> rejection(image, LlavaInstructRecipe.ID,
                        type.step(), model, promptHash, "model_unavailable", e.getMessage(),
                        null, now));
    }

    private Uni<Outcome> inContextOne(ImageIngested image, String now) {
        ResponseType type = llava.typeFor(image.imageId());
        String step = InContextRecipe.STEP;
        if (!llava.hasContext(image)) {
            return Uni.createFrom().item(rejection(image, InContextRecipe.ID, step, null, null, "no_context",
                    "the image has no captions or boxes to describe", null, now));
        }
        ChatClient client = clients.forStep(step);
        String model = client.endpoint().model();
        return examplePool.pick(type.task(), image.imageId(), inContext.exampleSeed(image.imageId()),
                        inContext.examples())
                .chain(picked -> {
                    boolean fromPool = !picked.isEmpty();
                    List<Example> shown = fromPool ? picked : inContext.seedExamples(type);
                    metrics.counter("vlit.generation.in_context.requests", "step", step, "examples",
                            fromPool ? InContextRecipe.FROM_POOL : InContextRecipe.FROM_SEEDS).increment();
                    String promptHash = inContext.promptHash(type, shown);
                    return calls.call(client, inContext.messages(type, image, shown))
                            .map(result -> {
                                UsageTally tally = new UsageTally().add(result);
                                try {
                                    List<Turn> turns = llava.parse(type, image.imageId(), result.content());
                                    Map<String, String> params = params(client, tally);
                                    params.put("examples", String.join(",", shown.stream().map(Example::sampleId)
                                            .toList()));
                                    params.put("example_source", fromPool ? InContextRecipe.FROM_POOL
                                            : InContextRecipe.FROM_SEEDS);
                                    params.put("prompt_set_hash", llava.prompts(type).hash());
                                    return new Outcome(image, sample(image, inContext.recipe(), type.task(),
                                            type.category(), inContext.templateId(type),
                                            inContext.seed(image.imageId(), type),
                                            new Generator("llm", model, promptHash, params), turns, tally,
                                            steps(step, InContextRecipe.VERSION, now)), null, llava.context(image));
                                } catch (ReplyParser.Unparseable e) {
                                    return rejection(image, InContextRecipe.ID, step, model, promptHash,
                                            "unparseable", e.getMessage(), result.content(), now);
                                }
                            })
                            .onFailure(ModelCallException.class).recoverWithItem(e -> rejection(image,
                                    InContextRecipe.ID, step, model, promptHash, "model_unavailable", e.getMessage(),
                                    null, now));
                });
    }

    private Uni<DraftOutcome> describeOne(ImageIngested image, String now) {
        ChatClient describer = clients.forStep(DESCRIBE);
        String promptHash = minigpt4.describePrompts().hash();
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
                .map(description -> {
                    var violation = minigpt4.draftViolation(description);
                    if (violation.isPresent()) {
                        return draftRejection(image, model, promptHash, description.isBlank() ? "unparseable"
                                : "rule_filter", violation.get(), description, now);
                    }
                    Map<String, String> params = params(describer, tally);
                    params.put("continued", Boolean.toString(tally.calls() > 1));
                    DescriptionDrafted draft = new DescriptionDrafted(DescriptionDrafted.SCHEMA_VERSION,
                            minigpt4.draftId(image.imageId()), image, minigpt4.recipe(), description,
                            new Generator("vlm", model, promptHash, params), tally.usage(), now);
                    return new DraftOutcome(image, draft, null);
                })
                .onFailure(e -> e instanceof ModelCallException || e instanceof IllegalStateException)
                .recoverWithItem(e -> draftRejection(image, model, promptHash,
                        e instanceof ModelCallException ? "model_unavailable" : "image_unreadable", e.getMessage(),
                        null, now));
    }

    private Uni<Outcome> repairOne(DescriptionDrafted draft, String now) {
        ImageIngested image = draft.image();
        ChatClient repairer = clients.forStep(REPAIR);
        String promptHash = minigpt4.promptHash();
        String repairModel = repairer.endpoint().model();
        Generator described = draft.generator();
        String description = draft.description() == null ? "" : draft.description();
        if (description.isBlank()) {
            return Uni.createFrom().item(rejection(image, MiniGpt4Recipe.ID, REPAIR, repairModel, promptHash,
                    "unparseable", "the draft has no description to repair", null, now));
        }
        return calls.call(repairer, List.of(ChatMessage.system(minigpt4.repairPrompts().system()),
                        ChatMessage.user(description)))
                .map(repaired -> {
                    String text = repaired.content() == null ? "" : repaired.content().strip();
                    var violation = minigpt4.ruleViolation(text);
                    if (violation.isPresent()) {
                        return rejection(image, MiniGpt4Recipe.ID, REPAIR, repairModel, promptHash,
                                text.isEmpty() ? "unparseable" : "rule_filter", violation.get(), "description:\n"
                                        + description + "\n\nrepaired:\n" + repaired.content(), now);
                    }
                    UsageTally describeTally = new UsageTally().addEarlier(draft.usage(), described.params());
                    UsageTally repairTally = new UsageTally().add(repaired);
                    UsageTally total = new UsageTally().addEarlier(draft.usage(), described.params()).add(repaired);
                    Map<String, String> params = new TreeMap<>(total.accounting());
                    params.putAll(describeTally.breakdown(DESCRIBE));
                    params.putAll(repairTally.breakdown(REPAIR));
                    for (String carried : List.of("temperature", "max_tokens", "continued")) {
                        if (described.params().containsKey(carried)) {
                            params.put(carried, described.params().get(carried));
                        }
                    }
                    params.put("describe_model", described.model());
                    params.put("repair_model", repairModel);
                    params.put("draft_id", draft.draftId());
                    List<Turn> turns = List.of(Turn.human(Turn.IMAGE_TOKEN + "\n" + minigpt4.question(
                            image.imageId())), Turn.gpt(text));
                    List<LineageStep> steps = List.of(
                            new LineageStep("generation", "self-instruct/" + DESCRIBE, draft.recipe() == null
                                    ? MiniGpt4Recipe.VERSION : draft.recipe().version(), draft.draftedAt()),
                            new LineageStep("generation", "self-instruct/" + REPAIR, MiniGpt4Recipe.VERSION, now));
                    return new Outcome(image, sample(image, minigpt4.recipe(), MiniGpt4Recipe.TASK,
                            MiniGpt4Recipe.CATEGORY, minigpt4.describePrompts().id() + "+"
                                    + minigpt4.repairPrompts().id(), minigpt4.seed(image.imageId()),
                            new Generator("vlm", described.model(), promptHash, params), turns, total, steps), null);
                })
                .onFailure(ModelCallException.class).recoverWithItem(e -> rejection(image, MiniGpt4Recipe.ID, REPAIR,
                        repairModel, promptHash, "model_unavailable", e.getMessage(), null, now));
    }

    /** Back on the consumer's Vert.x context (Hibernate Reactive needs it), or in place outside one. */
    private static Executor callersContext() {
        Context context = Vertx.currentContext();
        return context == null ? Runnable::run : command -> context.runOnContext(v -> command.run());
    }

    /**
     * Waits for every image's outcome, then, back on the consumer's Vert.x context, writes the rejections,
     * the contexts text models were shown (for the example pool) and the samples' lineage.
     */
    private Uni<List<Sample>> record(Recipe recipe, List<ImageIngested> processed, List<Uni<Outcome>> work) {
        if (work.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Executor back = callersContext();
        return Uni.join().all(work).andFailFast()
                .emitOn(back)
                .chain(outcomes -> {
                    List<Sample> samples = outcomes.stream().filter(o -> o.sample() != null).map(Outcome::sample)
                            .toList();
                    List<Rejection> rejections = outcomes.stream().filter(o -> o.rejection() != null)
                            .map(Outcome::rejection).toList();
                    OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
                    List<SampleContext> contexts = outcomes.stream()
                            .filter(o -> o.sample() != null && o.context() != null)
                            .map(o -> new SampleContext(o.sample().id(), o.image().imageId(), o.context(), at))
                            .toList();
                    count(rejections);
                    return repository.reject(rejections)
                            .chain(() -> examplePool.keepContexts(contexts))
                            .chain(() -> generation.recordGenerated(processed, recipe, samples, at))
                            .replaceWith(samples);
                });
    }

    private void count(Collection<Rejection> rejections) {
        rejections.forEach(r -> {
            metrics.counter("vlit.generation.rejections", "step", r.step(), "reason", reasonTag(r)).increment();
            LogFields.of(LogFields.IMAGE_ID, r.imageId(), LogFields.STEP, r.step())
                    .run(() -> LOG.infof("image %s rejected by %s: %s", r.imageId(), r.step(), r.reason()));
        });
    }

    private static Map<String, String> params(ChatClient client, UsageTally tally) {
        Map<String, String> params = new TreeMap<>(tally.accounting());
        params.put("temperature", String.format(Locale.ROOT, "%s", client.endpoint().temperature()));
        params.put("max_tokens", Integer.toString(client.endpoint().maxTokens()));
        return params;
    }

    private static List<LineageStep> steps(String step, String recipeVersion, String now) {
        return List.of(new LineageStep("generation", "self-instruct/" + step, recipeVersion, now));
    }

    private static Sample sample(ImageIngested image, Recipe recipe, String task, String category, String templateId,
            long seed, Generator generator, List<Turn> turns, UsageTally tally, List<LineageStep> steps) {
        String id = Ids.sampleId(image.imageId(), recipe.id(), recipe.version(), task, templateId, seed);
        String now = steps.get(steps.size() - 1).at();
        Lineage lineage = new Lineage(Strategy.SI, recipe, templateId, seed, generator, BOX_CONVENTION, image.source(),
                steps);
        return new Sample(Sample.SCHEMA_VERSION, id, image.imageId(), image.imageKey(), turns, task, category,
                image.licence(), lineage, tally.usage(), now, image.groundTruth());
    }

    private Outcome rejection(ImageIngested image, String recipeId, String step, String model, String promptHash,
            String kind, String reason, String raw, String now) {
        return new Outcome(image, null, rejectionRecord(image, recipeId, step, model, promptHash, kind, reason, raw,
                now));
    }

    private DraftOutcome draftRejection(ImageIngested image, String model, String promptHash, String kind,
            String reason, String raw, String now) {
        return new DraftOutcome(image, null, rejectionRecord(image, MiniGpt4Recipe.ID, DESCRIBE, model, promptHash,
                kind, reason, raw, now));
    }

    private static Rejection rejectionRecord(ImageIngested image, String recipeId, String step, String model,
            String promptHash, String kind, String reason, String raw, String now) {
        String id = Ids.sampleId(image.imageId(), recipeId, "rejection", step, "", 0);
        return new Rejection(id, image.imageId(), recipeId, step, model, promptHash, kind + ": " + reason, raw,
                OffsetDateTime.parse(now));
    }

    private static String reasonTag(Rejection r) {
        int colon = r.reason() == null ? -1 : r.reason().indexOf(':');
        return colon > 0 ? r.reason().substring(0, colon) : "other";
    }
}
