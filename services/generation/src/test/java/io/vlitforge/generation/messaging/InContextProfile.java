package io.vlitforge.generation.messaging;

import java.util.List;

/**
 * The LLaVA steps plus the in-context step and its example-pool consumer on {@code samples.accepted},
 * against the same local OpenAI-protocol server, on topics of their own.
 */
public class InContextProfile extends SelfInstructProfile {

    @Override
    protected List<String> channels() {
        return List.of("si-conversation", "si-detail", "si-reasoning", "si-in-context", "si-example-pool");
    }

    @Override
    protected List<String> steps() {
        return List.of("conversation", "detail", "reasoning", "in-context");
    }

    @Override
    protected String topicPrefix() {
        return ".generation-si-in-context-test.";
    }
}
