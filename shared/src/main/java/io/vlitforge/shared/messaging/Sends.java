package io.vlitforge.shared.messaging;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** Waiting on a batch's sends, the way every consumer acknowledges a poll only after the broker has its output. */
public final class Sends {

    private Sends() {
    }

    /** Completes when every send has completed, fails with the first that fails; an empty list completes at once. */
    public static Uni<Void> all(List<Uni<Void>> sends) {
        return sends.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(sends).andFailFast().replaceWithVoid();
    }
}
