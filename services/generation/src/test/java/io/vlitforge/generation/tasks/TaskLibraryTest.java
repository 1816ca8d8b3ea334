package io.vlitforge.generation.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pure unit test of the task library files and their loader: nothing external. */
class TaskLibraryTest {

    @Test
    void shippedLibraryHasAtLeastFortyTasksInEightCategoriesWithFiveDistinctTemplatesEach() {
        TaskLibrary library = TaskLibrary.shipped();
        assertTrue(library.tasks().size() >= 40, "tasks: " + library.tasks().size());
        Set<String> categories = library.tasks().stream().map(TaskSpec::category).collect(Collectors.toSet());
        assertTrue(categories.size() >= 8, "categories: " + categories);
        for (TaskSpec task : library.tasks()) {
            assertTrue(new HashSet<>(task.templates()).size() >= 5, task.name() + " has " + task.templates().size());
        }
        // The categories the issue names, each with at least one task.
        assertTrue(categories.containsAll(List.of("captioning", "open_vqa", "short_vqa", "multiple_choice", "existence",
                "counting", "referring_comprehension", "region_captioning", "grounded_captioning", "spatial",
                "scene_graph", "image_text_matching", "phrase_grounding")), categories.toString());
        Set<String> negatives = library.tasks().stream().filter(t -> t.kind().equals("existence"))
                .map(t -> t.param("negatives", "")).collect(Collectors.toSet());
        assertTrue(negatives.containsAll(List.of("random", "popular", "adversarial")), negatives.toString());
    }

    @Test
    void userFolderAddsAndReplacesTasksWithoutRecompiling(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mine.yaml"), """
                category: counting
                tasks:
                  - name: my_count
                    kind: counting
                    params: {answer: number}
                    templates: ["How many {objects}?", "Count {objects}.", "Number of {objects}?",
                                "{objects}: how many?", "Tell the count of {objects}."]
                  - name: brief_caption
                    kind: caption
                    category: captioning
                    params: {style: brief}
                    templates: ["Caption it."]
                """);
        TaskLibrary shipped = TaskLibrary.shipped();
        TaskLibrary extended = TaskLibrary.load(Optional.of(dir));
        assertEquals(shipped.tasks().size() + 1, extended.tasks().size());
        assertEquals(List.of("Caption it."), extended.task("brief_caption").orElseThrow().templates());
        assertNotEquals(shipped.hash(), extended.hash());
    }

    @Test
    void aBadTaskFileIsRefusedWithTheFileTheTaskAndTheReason() {
        IllegalArgumentException unknownKind = assertThrows(IllegalArgumentException.class, () -> TaskLibrary.read(
                "category: x\ntasks:\n  - {name: t, kind: telepathy, templates: [a]}\n", "f.yaml"));
        assertTrue(unknownKind.getMessage().contains("f.yaml, task 't': unknown kind 'telepathy'"), unknownKind.getMessage());
        IllegalArgumentException slot = assertThrows(IllegalArgumentException.class, () -> TaskLibrary.read(
                "category: x\ntasks:\n  - {name: t, kind: counting, templates: ['How many {colour}?']}\n", "f.yaml"));
        assertTrue(slot.getMessage().contains("{colour}"), slot.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> TaskLibrary.read(
                "category: x\ntasks:\n  - {name: t, kind: counting, templates: [a, a]}\n", "f.yaml"));
        assertTrue(twice.getMessage().contains("template written twice"), twice.getMessage());
        IllegalArgumentException yaml = assertThrows(IllegalArgumentException.class, () -> TaskLibrary.read(
                "tasks: [\n", "f.yaml"));
        assertTrue(yaml.getMessage().startsWith("f.yaml: not valid YAML"), yaml.getMessage());
    }
}
