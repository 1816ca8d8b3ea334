package io.vlitforge.shared.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;

/**
 * A service's dead-letter topics, read from its own channel configuration: every inbound channel with
 * {@code failure-strategy=dead-letter-queue} names its {@code dead-letter-queue.topic}, next to its
 * {@code topic}. Reading them from the configuration (rather than listing them again in code) keeps the
 * replay in step with the channels a service really has.
 */
public final class DeadLetterChannels {

    /** One inbound channel: the topic it reads and where its unusable records go. */
    public record Channel(String name, String topic, String deadLetterTopic) {
    }

    private static final Pattern DLQ = Pattern.compile(
            "mp\\.messaging\\.incoming\\.(\"[^\"]+\"|[^.]+)\\.dead-letter-queue\\.topic");

    private DeadLetterChannels() {
    }

    public static List<Channel> of(Config config) {
        TreeMap<String, Channel> channels = new TreeMap<>();
        for (String property : config.getPropertyNames()) {
            Matcher m = DLQ.matcher(property);
            if (m.matches()) {
                String name = m.group(1);
                String topic = config.getOptionalValue("mp.messaging.incoming." + name + ".topic", String.class)
                        .orElse(name.replace("\"", ""));
                String dlq = config.getValue(property, String.class);
                channels.put(name, new Channel(name.replace("\"", ""), topic, dlq));
            }
        }
        return new ArrayList<>(channels.values());
    }
}
