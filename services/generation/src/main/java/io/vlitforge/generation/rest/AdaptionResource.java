package io.vlitforge.generation.rest;

import io.smallrye.mutiny.Uni;
import io.vlitforge.generation.service.AdaptionService;
import io.vlitforge.generation.tasks.AdaptionRecipe;
import io.vlitforge.generation.tasks.TaskSpec;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The adaption task library and recipes as this deployment sees them (shipped plus user files), and
 * regeneration: {@code POST /adaption/runs} runs stored images through a recipe without re-ingesting them.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AdaptionResource {

    private final AdaptionService adaption;

    public AdaptionResource(AdaptionService adaption) {
        this.adaption = adaption;
    }

    /** One task as listed. */
    public record TaskView(String name, String category, String kind, String description, Map<String, String> params,
            List<String> templates) {
    }

    /** The library with its counts (the same counts {@code bin/vlit tasks} prints last). */
    public record LibraryView(int tasks, int categories, int templates, String hash, List<TaskView> library) {
    }

    @GET
    @Path("tasks")
    public LibraryView tasks() {
        List<TaskView> views = new ArrayList<>();
        Map<String, Integer> categories = new TreeMap<>();
        int templates = 0;
        for (TaskSpec t : adaption.library().tasks()) {
            views.add(new TaskView(t.name(), t.category(), t.kind(), t.description(), t.params(), t.templates()));
            categories.merge(t.category(), 1, Integer::sum);
            templates += t.templates().size();
        }
        return new LibraryView(views.size(), categories.size(), templates, adaption.library().hash(), views);
    }

    /** A recipe as listed. */
    public record RecipeView(String id, String version, String hash, String description, String boxConvention,
            boolean active, List<String> tasks) {
    }

    @GET
    @Path("recipes")
    public List<RecipeView> recipes() {
        List<String> active = adaption.activeRecipes().stream().map(AdaptionRecipe::id).toList();
        List<RecipeView> views = new ArrayList<>();
        for (String name : adaption.recipeNames()) {
            AdaptionRecipe r = adaption.recipe(name);
            views.add(new RecipeView(r.id(), r.recipe().version(), r.recipe().hash(), r.description(), r.boxConvention(),
                    active.contains(r.id()), r.entries().stream().map(e -> e.task().name()).toList()));
        }
        return views;
    }

    /** A regeneration request: a recipe name and, optionally, the images (all stored images if none). */
    public record RunRequest(String recipe, List<String> imageIds) {
    }

    @POST
    @Path("adaption/runs")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, Object>> run(RunRequest request) {
        if (request == null || request.recipe() == null || request.recipe().isBlank()) {
            throw new BadRequestException("name a recipe: {\"recipe\": \"multiinstruct\"}");
        }
        AdaptionRecipe recipe;
        try {
            recipe = adaption.recipe(request.recipe().strip());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        return adaption.regenerate(recipe.id(), request.imageIds() == null ? List.of() : request.imageIds())
                .map(run -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("recipe", run.recipe());
                    out.put("recipeHash", run.recipeHash());
                    out.put("images", run.images());
                    out.put("samples", run.samples());
                    return out;
                });
    }
}
