package io.vlitforge.generation.tasks;

import io.vlitforge.shared.events.ImageIngested;
import java.util.List;
import java.util.Set;

/**
 * The rule behind a family of tasks: it reads an image's annotations and lists every item (question and
 * answer) it can make of them. Answers come from the annotations only, so they are correct by construction.
 * A kind with nothing to say about an image returns no items rather than inventing content. Choices a kind
 * makes (a negative object, distractors, the order of options) come from {@code context.random(key)}, so the
 * same image and recipe always give the same items.
 */
public interface TaskKind {

    /** The kind's name as task files write it ({@code kind: counting}). */
    String name();

    /** The placeholders its templates may use. */
    Set<String> slots();

    List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context);
}
