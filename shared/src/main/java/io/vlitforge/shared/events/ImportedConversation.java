package io.vlitforge.shared.events;

import java.util.List;

/**
 * An instruction sample that already existed (LLaVA JSON, ShareGPT/LLaMA-Factory, MultiInstruct) and was
 * ingested to be filtered again: its turns as written, the format it came in, and the id and task it had.
 */
public record ImportedConversation(String format, String sourceId, String task, List<Turn> turns) {

    public ImportedConversation {
        turns = turns == null ? List.of() : List.copyOf(turns);
    }
}
