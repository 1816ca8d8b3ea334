package io.vlitforge.generation.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vlitforge.shared.model.ChatClient;
import io.vlitforge.shared.model.ChatMessage;
import io.vlitforge.shared.model.ChatResult;
import io.vlitforge.generation.repository.SelfInstructRepository;
import io.vlitforge.shared.ids.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;

/**
 * Model calls through the response cache. The key is the model plus the hash of the exact request body
 * (prompt, temperature, max tokens); an image is keyed by its id, not by its bytes or a presigned URL
 * that changes every hour. A reply is cached the moment it arrives, so a re-run, a redelivery or a crash
 * after the call never pays for the same request twice.
 */
@ApplicationScoped
public class ModelCalls {

    private final SelfInstructRepository repository;
    private final MeterRegistry metrics;

    public ModelCalls(SelfInstructRepository repository, MeterRegistry metrics) {
        this.repository = repository;
        this.metrics = metrics;
    }

    /**
     * Sends {@code messages}; {@code keyMessages} is what identifies the request (the same messages with
     * an image replaced by its id), or {@code messages} itself for text requests.
     */
    public Uni<ChatResult> call(ChatClient client, List<ChatMessage> messages, List<ChatMessage> keyMessages,
            int maxTokens) {
        return call(client, Uni.createFrom().item(messages), keyMessages, maxTokens);
    }

    /** As above, with the messages built only on a cache miss (reading an image is not free either). */
    public Uni<ChatResult> call(ChatClient client, Uni<List<ChatMessage>> messagesOnMiss, List<ChatMessage> keyMessages,
            int maxTokens) {
        String requestHash = Ids.sha256Hex(client.requestBody(keyMessages, maxTokens));
        String model = client.endpoint().model();
        String params = String.format(Locale.ROOT, "temperature=%s;max_tokens=%d", client.endpoint().temperature(),
                maxTokens);
        String key = Ids.sha256Hex(model + "\n" + requestHash + "\n" + params);
        return repository.cached(key).chain(hit -> {
            if (hit.isPresent()) {
                metrics.counter("vlit.generation.model.cache", "step", client.step(), "outcome", "hit").increment();
                return Uni.createFrom().item(hit.get().fromCache());
            }
            metrics.counter("vlit.generation.model.cache", "step", client.step(), "outcome", "miss").increment();
            return messagesOnMiss.chain(messages -> client.complete(messages, maxTokens))
                    .call(result -> repository.cache(key, client.step(), requestHash, params, result));
        });
    }

    public Uni<ChatResult> call(ChatClient client, List<ChatMessage> messages) {
        return call(client, messages, messages, client.endpoint().maxTokens());
    }
}
