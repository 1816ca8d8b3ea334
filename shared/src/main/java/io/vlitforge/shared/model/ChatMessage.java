package io.vlitforge.shared.model;

/**
 * One chat-completions message: a role, its text and, for vision requests, an image URL (an
 * {@code https:} URL or a {@code data:} URL). With an image the content is sent as the array form
 * ({@code [{"type":"text"},{"type":"image_url"}]}) that vision servers expect.
 */
public record ChatMessage(String role, String text, String imageUrl) {

    public static ChatMessage system(String text) {
        return new ChatMessage("system", text, null);
    }

    public static ChatMessage user(String text) {
        return new ChatMessage("user", text, null);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", text, null);
    }

    public static ChatMessage userWithImage(String text, String imageUrl) {
        return new ChatMessage("user", text, imageUrl);
    }
}
