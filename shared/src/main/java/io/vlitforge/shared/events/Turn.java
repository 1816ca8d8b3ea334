package io.vlitforge.shared.events;

/** One turn of a conversation, in the LLaVA shape: {@code from} is "human" or "gpt". */
public record Turn(String from, String value) {

    public static final String HUMAN = "human";
    public static final String GPT = "gpt";
    /** The placeholder trainers replace with the image's features. */
    public static final String IMAGE_TOKEN = "<image>";

    public static Turn human(String value) {
        return new Turn(HUMAN, value);
    }

    public static Turn gpt(String value) {
        return new Turn(GPT, value);
    }
}
