package io.vlitforge.filtering.filters;

import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One step of the filter chain: a name and a version that go into every verdict, the parameters that
 * decide it (so a verdict can be explained later), and one job. Filters are pure: no I/O, no state, so
 * the same sample always gets the same verdict and a chain can run on any replica.
 */
public interface SampleFilter {

    String name();

    String version();

    Map<String, Object> parameters();

    Verdict check(Sample sample);

    default Verdict accept(double score, double threshold) {
        return new Verdict(name(), version(), score, threshold, Verdict.Outcome.ACCEPTED, null, null);
    }

    default Verdict reject(double score, double threshold, String reason, String detail) {
        return new Verdict(name(), version(), score, threshold, Verdict.Outcome.REJECTED, reason, detail);
    }

    /** The model's answers with their turn index, which is what details cite. */
    static List<Answer> answers(Sample sample) {
        List<Answer> answers = new ArrayList<>();
        List<Turn> turns = sample.conversations();
        for (int i = 0; i < turns.size(); i++) {
            Turn turn = turns.get(i);
            if (Turn.GPT.equals(turn.from()) && turn.value() != null) {
                answers.add(new Answer(i, turn.value()));
            }
        }
        return answers;
    }

    /** A gpt turn's text and its position in the conversation. */
    record Answer(int turn, String text) {
    }
}
