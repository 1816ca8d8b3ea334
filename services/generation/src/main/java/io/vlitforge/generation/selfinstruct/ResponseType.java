package io.vlitforge.generation.selfinstruct;

/**
 * LLaVA's three response types, with the share each had in LLaVA-Instruct-158K (58k conversations,
 * 23k detailed descriptions, 77k complex-reasoning answers) and the task and category names their
 * samples carry.
 */
public enum ResponseType {
    CONVERSATION("conversation", "llava_conversation", "conversation", 58),
    DETAIL("detail", "llava_detail", "description", 23),
    REASONING("reasoning", "llava_reasoning", "reasoning", 77);

    private final String step;
    private final String task;
    private final String category;
    private final int weight;

    ResponseType(String step, String task, String category, int weight) {
        this.step = step;
        this.task = task;
        this.category = category;
        this.weight = weight;
    }

    /** The step (and prompt set, and endpoint configuration) name. */
    public String step() {
        return step;
    }

    public String task() {
        return task;
    }

    public String category() {
        return category;
    }

    /** Thousands of samples of this type in LLaVA-Instruct-158K. */
    public int weight() {
        return weight;
    }
}
