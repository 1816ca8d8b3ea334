package io.vlitforge.generation.service;

import io.vlitforge.shared.model.ChatResult;
import io.vlitforge.shared.events.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the model calls behind one sample cost, summed: tokens, latency, price, retries, cache hits. It
 * becomes the sample's {@link Usage} and the accounting parameters on its generator.
 */
final class UsageTally {

    private final List<ChatResult> calls = new ArrayList<>();

    UsageTally add(ChatResult result) {
        calls.add(result);
        return this;
    }

    Usage usage() {
        long prompt = 0;
        long completion = 0;
        long latency = 0;
        double cost = 0;
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
        int retries = 0;
        int hits = 0;
        for (ChatResult c : calls) {
            retries += c.retries();
            hits += c.cached() ? 1 : 0;
        }
        Map<String, String> out = new TreeMap<>();
        out.put("calls", Integer.toString(calls.size()));
        out.put("retries", Integer.toString(retries));
        out.put("cache_hits", Integer.toString(hits));
        return out;
    }
}
