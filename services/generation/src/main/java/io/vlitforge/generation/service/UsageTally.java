package io.vlitforge.generation.service;

import io.vlitforge.shared.model.ChatResult;
import io.vlitforge.shared.events.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the model calls behind one sample cost, summed: tokens, latency, price, retries, cache hits. It
 * becomes the sample's {@link Usage} and the accounting parameters on its generator. Calls made by an
 * earlier step (the describe step, before the repair step makes the sample) come in through
 * {@link #addEarlier}, so the sample accounts for every call behind it.
 */
final class UsageTally {

    private final List<ChatResult> calls = new ArrayList<>();
    private Usage earlier = Usage.NONE;
    private int earlierCalls;
    private int earlierRetries;
    private int earlierHits;

    UsageTally add(ChatResult result) {
        calls.add(result);
        return this;
    }

    /** The usage and accounting ({@code calls}, {@code retries}, {@code cache_hits}) of an earlier step. */
    UsageTally addEarlier(Usage usage, Map<String, String> accounting) {
        if (usage != null) {
            earlier = new Usage(earlier.promptTokens() + usage.promptTokens(),
                    earlier.completionTokens() + usage.completionTokens(), earlier.latencyMs() + usage.latencyMs(),
                    earlier.costUsd() + usage.costUsd());
        }
        earlierCalls += number(accounting, "calls");
        earlierRetries += number(accounting, "retries");
        earlierHits += number(accounting, "cache_hits");
        return this;
    }

    /** Calls counted so far, this step's and earlier steps'. */
    int calls() {
        return calls.size() + earlierCalls;
    }

    Usage usage() {
        long prompt = earlier.promptTokens();
        long completion = earlier.completionTokens();
        long latency = earlier.latencyMs();
        double cost = earlier.costUsd();
        for (ChatResult c : calls) {
            prompt += c.promptTokens();
            completion += c.completionTokens();
            latency += c.latencyMs();
            cost += c.costUsd();
        }
        return new Usage(prompt, completion, latency, cost);
    }

    /** Retries, calls and cache hits, for the generator's parameters. */
    Map<String, String> accounting() {
        int retries = earlierRetries;
        int hits = earlierHits;
        for (ChatResult c : calls) {
            retries += c.retries();
            hits += c.cached() ? 1 : 0;
        }
        Map<String, String> out = new TreeMap<>();
        out.put("calls", Integer.toString(calls()));
        out.put("retries", Integer.toString(retries));
        out.put("cache_hits", Integer.toString(hits));
        return out;
    }

    /**
     * This tally's usage as {@code <step>.prompt_tokens}, {@code .completion_tokens}, {@code .latency_ms},
     * {@code .cost_usd}, {@code .calls}: one model's share of a sample made by several.
     */
    Map<String, String> breakdown(String step) {
        Usage u = usage();
        Map<String, String> out = new TreeMap<>();
        out.put(step + ".prompt_tokens", Long.toString(u.promptTokens()));
        out.put(step + ".completion_tokens", Long.toString(u.completionTokens()));
        out.put(step + ".latency_ms", Long.toString(u.latencyMs()));
        out.put(step + ".cost_usd", String.format(Locale.ROOT, "%.8f", u.costUsd()));
        out.put(step + ".calls", Integer.toString(calls()));
        return out;
    }

    private static int number(Map<String, String> accounting, String key) {
        if (accounting == null) {
            return 0;
        }
        try {
            return Integer.parseInt(accounting.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
