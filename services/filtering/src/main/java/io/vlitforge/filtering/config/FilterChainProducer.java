package io.vlitforge.filtering.config;

import io.vlitforge.filtering.filters.FilterChain;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Builds the filter chain once from configuration, so the consumer and {@code GET /filters} share the very
 * chain that decides samples, and the filters themselves stay plain classes that unit tests construct.
 */
public class FilterChainProducer {

    @Produces
    @Singleton
    FilterChain filterChain(FilteringConfig config) {
        return FilterChain.from(config.filters());
    }
}
