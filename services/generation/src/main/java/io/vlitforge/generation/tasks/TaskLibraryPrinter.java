package io.vlitforge.generation.tasks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code bin/vlit tasks}: prints the task library (shipped, plus a user folder given as the first argument)
 * by category, the shipped recipes, and last one JSON line with the counts of tasks, categories and
 * templates. Runs without the service, from the generation jar's classpath.
 */
public final class TaskLibraryPrinter {

    private TaskLibraryPrinter() {
    }

    public static void main(String[] args) throws Exception {
        TaskLibrary library = TaskLibrary.load(args.length > 0 && !args[0].isBlank() ? Optional.of(Path.of(args[0]))
                : Optional.empty());
        Map<String, Integer> categories = new TreeMap<>();
        int templates = 0;
        String category = null;
        for (TaskSpec t : library.tasks()) {
            if (!t.category().equals(category)) {
                category = t.category();
                System.out.println();
                System.out.println(category);
            }
            System.out.printf("  %-32s %-17s %d templates  %s%n", t.name(), t.kind(), t.templates().size(),
                    t.description());
            categories.merge(t.category(), 1, Integer::sum);
            templates += t.templates().size();
        }
        System.out.println();
        System.out.println("recipes");
        for (String name : AdaptionRecipe.shippedNames()) {
            AdaptionRecipe r = AdaptionRecipe.shipped(name, library);
            List<String> tasks = r.entries().stream().map(e -> e.task().name()).toList();
            System.out.printf("  %-22s boxes %-17s %2d tasks  %s%n", r.id(), r.boxConvention(), tasks.size(),
                    r.description());
        }
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("tasks", library.tasks().size());
        counts.put("categories", categories.size());
        counts.put("templates", templates);
        counts.put("recipes", AdaptionRecipe.shippedNames().size());
        counts.put("libraryHash", library.hash());
        System.out.println(new ObjectMapper().writeValueAsString(counts));
    }
}
