package io.vlitforge.generation.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vlitforge.generation.config.GenerationConfig;
import io.vlitforge.generation.repository.GenerationRepository;
import io.vlitforge.generation.tasks.AdaptionRecipe;
import io.vlitforge.generation.tasks.TaskLibrary;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.logging.LogFields;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Annotation adaption as a service: the task library and the recipes this deployment runs, loaded once at
 * start (a bad task file or recipe stops the start with the file and the reason), and the two ways images
 * become samples: a batch of freshly ingested images under the configured recipes, and stored images
 * regenerated under any recipe without re-ingesting them. Either way the lineage is written first and the
 * samples are sent after, keyed by sample id; ids are deterministic, so a repeat changes nothing.
 */
@ApplicationScoped
public class AdaptionService {

    private static final Logger LOG = Logger.getLogger(AdaptionService.class);
    /** The {@code step} field of this step's log lines. */
    private static final String STEP = "adaption";

    private final GenerationConfig.Adaption config;
    private final TaskLibrary library;
    private final Map<String, AdaptionRecipe> recipes = new LinkedHashMap<>();
    private final GenerationRepository repository;
    private final MutinyEmitter<String> samples;
    private final MeterRegistry metrics;
    private final Vertx vertx;

    public AdaptionService(GenerationConfig config, GenerationRepository repository, Vertx vertx,
            @Channel(Topics.SAMPLES_GENERATED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> samples, MeterRegistry metrics) {
        this.config = config.adaption();
        this.library = TaskLibrary.load(this.config.libraryDir());
        for (String name : this.config.recipes()) {
            if (!name.isBlank()) {
                AdaptionRecipe recipe = recipe(name.strip());
                recipes.put(recipe.id(), recipe);
            }
        }
        this.repository = repository;
        this.samples = samples;
        this.metrics = metrics;
        this.vertx = vertx;
        LOG.infof("annotation adaption: %d tasks in the library, recipes %s", library.tasks().size(), recipes.keySet());
    }

    public TaskLibrary library() {
        return library;
    }

    /** The recipes every ingested image goes through. */
    public List<AdaptionRecipe> activeRecipes() {
        return List.copyOf(recipes.values());
    }

    /** A recipe by name, from the recipe folder or the shipped ones; unknown names fail with the known ones. */
    public AdaptionRecipe recipe(String name) {
        AdaptionRecipe active = recipes.get(name);
        return active != null ? active : AdaptionRecipe.load(name, library, config.recipeDir());
    }

    public List<String> recipeNames() {
        List<String> names = new ArrayList<>(AdaptionRecipe.shippedNames());
        config.recipeDir().ifPresent(dir -> {
            try (var files = java.nio.file.Files.list(dir)) {
                files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") || f.endsWith(".yml"))
                        .map(f -> f.substring(0, f.lastIndexOf('.'))).filter(n -> !names.contains(n)).sorted()
                        .forEach(names::add);
            } catch (java.io.IOException e) {
                LOG.warnf("cannot list the recipe folder %s: %s", dir, e.getMessage());
            }
        });
        return names;
    }

    /** Generates the samples of {@code images} under {@code recipes}, records their lineage and sends them. */
    public Uni<List<Sample>> generate(List<ImageIngested> images, List<AdaptionRecipe> under, boolean storeImages) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        // Making samples is CPU work: it runs on a worker thread, and the database and Kafka calls continue
        // on the event loop the batch arrived on.
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            Map<AdaptionRecipe, List<Sample>> byRecipe = new LinkedHashMap<>();
            for (AdaptionRecipe recipe : under) {
                List<Sample> generated = new ArrayList<>();
                for (ImageIngested image : images) {
                    // Synchronous per image: what the recipe logs about the image carries its id.
                    try (LogFields ids = LogFields.of(LogFields.IMAGE_ID, image.imageId(), LogFields.STEP, STEP)
                            .and("recipe", recipe.id())) {
                        List<Sample> made = recipe.generate(image, now.toString());
                        LOG.debugf("image %s: %d samples under recipe %s", image.imageId(), made.size(), recipe.id());
                        generated.addAll(made);
                    }
                }
                byRecipe.put(recipe, generated);
            }
            return byRecipe;
        })).chain(byRecipe -> record(images, byRecipe, storeImages, now));
    }

    private Uni<List<Sample>> record(List<ImageIngested> images, Map<AdaptionRecipe, List<Sample>> byRecipe,
            boolean storeImages, OffsetDateTime now) {
        List<Sample> all = new ArrayList<>();
        Uni<Void> chain = storeImages && !images.isEmpty() ? repository.storeImages(images, now)
                : Uni.createFrom().voidItem();
        for (Map.Entry<AdaptionRecipe, List<Sample>> e : byRecipe.entrySet()) {
            all.addAll(e.getValue());
            chain = chain.chain(() -> repository.recordGenerated(images, e.getKey().recipe(), e.getValue(), now));
        }
        return chain.chain(() -> send(all))
                .invoke(() -> all.forEach(s -> metrics.counter("vlit.generation.samples", "task", s.task(),
                        "strategy", "AA").increment()))
                .replaceWith(all);
    }

    /** Run summary of a regeneration. */
    public record Run(String recipe, String recipeHash, int images, int samples) {
    }

    /**
     * Regenerates stored images (all, or {@code imageIds}) under {@code recipeName}, a page at a time, so a
     * large store never sits in memory at once.
     */
    public Uni<Run> regenerate(String recipeName, List<String> imageIds) {
        AdaptionRecipe recipe = recipe(recipeName);
        int page = Math.max(1, config.regeneratePageSize());
        return regeneratePage(recipe, imageIds, "", page, new Run(recipe.id(), recipe.recipe().hash(), 0, 0));
    }

    private Uni<Run> regeneratePage(AdaptionRecipe recipe, List<String> imageIds, String after, int page, Run sofar) {
        return repository.storedImages(after, page, imageIds).chain(images -> {
            if (images.isEmpty()) {
                return Uni.createFrom().item(sofar);
            }
            return generate(images, List.of(recipe), false).chain(generated -> {
                Run next = new Run(sofar.recipe(), sofar.recipeHash(), sofar.images() + images.size(),
                        sofar.samples() + generated.size());
                return images.size() < page ? Uni.createFrom().item(next)
                        : regeneratePage(recipe, imageIds, images.get(images.size() - 1).imageId(), page, next);
            });
        });
    }

    private Uni<Void> send(List<Sample> generated) {
        if (generated.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> sends = new ArrayList<>(generated.size());
        for (Sample s : generated) {
            sends.add(samples.sendMessage(Message.of(EventJson.write(s))
                    .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(s.id()).build())));
        }
        return Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    Optional<AdaptionRecipe> active(String name) {
        return Optional.ofNullable(recipes.get(name));
    }
}
