package io.vlitforge.filtering.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.JudgeFilter;
import io.vlitforge.filtering.filters.JudgePrompt;
import io.vlitforge.shared.model.ChatClient;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Builds the filter chain once from configuration, so the consumer and {@code GET /filters} share the very
 * chain that decides samples, and the filters themselves stay plain classes that unit tests construct. The
 * model judge, when switched on, gets its model client here (the shared one generation uses), on the
 * service's Vert.x and with the service's metrics.
 */
public class FilterChainProducer {

    private static final Logger LOG = Logger.getLogger(FilterChainProducer.class);

    @Produces
    @Singleton
    FilterChain filterChain(FilteringConfig config, Vertx vertx, MeterRegistry metrics) {
        FilteringConfig.Judge judge = config.filters().judge();
        JudgeFilter judgeFilter = null;
        if (judge.enabled()) {
            ChatClient client = new ChatClient(JudgeFilter.METRICS, JudgeFilter.STEP, judge.endpoint(), vertx,
                    metrics);
            judgeFilter = new JudgeFilter(client, JudgePrompt.load(judge.promptVersion()), judge.threshold(),
                    judge.tasks().orElse(Set.of()), judge.strategies().orElse(Set.of()),
                    judge.onFailure() == FilteringConfig.OnFailure.REJECT, metrics);
            // The endpoint's URL and key are not logged: a URL can carry credentials too.
            LOG.infof("model judge on: model %s, prompt %s, threshold %s, on failure %s",
                    judge.endpoint().model(), judgeFilter.version(), judge.threshold(), judge.onFailure());
        }
        return FilterChain.from(config.filters(), judgeFilter);
    }

    void close(@Disposes FilterChain chain) {
        if (chain.judge() != null) {
            chain.judge().close();
        }
    }
}
