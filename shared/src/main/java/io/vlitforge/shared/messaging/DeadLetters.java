package io.vlitforge.shared.messaging;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Dead letters for records a batch consumer cannot read. A batch is acknowledged as a whole, so one
 * unreadable record must not fail it: the consumer sends that record here and goes on with the rest.
 * The headers are the ones SmallRye's own dead-letter strategy writes, so both kinds read the same.
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static Message<String> of(ConsumerRecord<String, String> record, Throwable reason) {
        RecordHeaders headers = new RecordHeaders();
        header(headers, "dead-letter-reason", String.valueOf(reason.getMessage()));
        header(headers, "dead-letter-cause", reason.getClass().getName());
        header(headers, "dead-letter-topic", record.topic());
        header(headers, "dead-letter-partition", Integer.toString(record.partition()));
        header(headers, "dead-letter-offset", Long.toString(record.offset()));
        return Message.of(record.value() == null ? "" : record.value()).addMetadata(OutgoingKafkaRecordMetadata
                .<String>builder().withKey(record.key()).withHeaders(headers).build());
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
