package io.vlitforge.shared.rest;

import io.smallrye.common.annotation.Blocking;
import io.vlitforge.shared.messaging.DeadLetterChannels;
import io.vlitforge.shared.messaging.DeadLetterReplay;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A service's dead-letter topics: how many records wait in each, and a replay that sends them back to the
 * topic they failed on once the cause is fixed ({@code bin/vlit dlq replay SERVICE}). Every service serves it
 * (this jar is a bean archive, so Quarkus finds the resource); the channels come from the service's own
 * configuration, and the replay's consumer group is named after the service.
 */
@Path("/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLetterResource {

    private final List<DeadLetterChannels.Channel> channels;
    private final DeadLetterReplay replay;

    public DeadLetterResource(Config config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
            @ConfigProperty(name = "quarkus.application.name") String service) {
        this.channels = DeadLetterChannels.of(config);
        // Empty (no prefix) is "not set" to MicroProfile Config, hence optional.
        String prefix = config.getOptionalValue("vlit.topic-prefix", String.class).orElse("");
        this.replay = new DeadLetterReplay(bootstrap, prefix + service + "-dlq-replay");
    }

    @GET
    @Blocking
    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DeadLetterChannels.Channel c : channels) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("channel", c.name());
            m.put("topic", c.topic());
            m.put("deadLetterTopic", c.deadLetterTopic());
            m.put("pending", replay.pending(c.deadLetterTopic()));
            out.add(m);
        }
        return out;
    }

    /** Replays every channel's dead letters, or only {@code channel}'s; at most {@code max} records each. */
    @POST
    @Path("/replay")
    @Blocking
    public Response replay(@QueryParam("channel") String channel, @QueryParam("max") Long max) {
        List<DeadLetterReplay.Result> results = new ArrayList<>();
        for (DeadLetterChannels.Channel c : channels) {
            if (channel == null || channel.equals(c.name())) {
                results.add(replay.replay(c.deadLetterTopic(), c.topic(), max == null ? Long.MAX_VALUE : max));
            }
        }
        if (results.isEmpty()) {
            return Response.status(404).entity(Map.of("error", "no inbound channel " + channel + "; channels: "
                    + channels.stream().map(DeadLetterChannels.Channel::name).toList())).build();
        }
        return Response.ok(results).build();
    }
}
