package io.vlitforge.shared.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the records of a dead-letter topic back to the topic they failed on, once the cause is fixed (a
 * database that was down, a bug in a consumer, a schema the consumer now understands). Records keep their
 * key, value and headers and gain {@code vlit-replayed-from} ({@code <dlq>/<partition>/<offset>}); the
 * target is the {@code dead-letter-topic} header both SmallRye and {@link DeadLetters} write, or the given
 * default. Progress is a consumer group of its own ({@code <prefix>dlq-replay}), committed after the
 * producer has every record of a poll acknowledged, so a replay interrupted half-way resumes where it was
 * (at worst one poll is sent again, which the idempotent consumers absorb). It stops at the end offsets it saw when it started, so a record
 * that fails again (and lands in the dead-letter topic once more) waits for the next replay instead of
 * looping.
 */
public final class DeadLetterReplay {

    public static final String REPLAYED_FROM = "vlit-replayed-from";

    /** What one replay did, per dead-letter topic. */
    public record Result(String deadLetterTopic, long replayed, long remainingBefore, Map<String, Long> byTarget) {
    }

    private final String bootstrap;
    private final String groupId;

    /** {@code groupId}: the replay's consumer group (one per service, prefixed like its other groups). */
    public DeadLetterReplay(String bootstrap, String groupId) {
        this.bootstrap = bootstrap;
        this.groupId = groupId;
    }

    /** How many records of the topic this replay group has not replayed yet. */
    public long pending(String deadLetterTopic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, deadLetterTopic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            long pending = 0;
            for (TopicPartition p : partitions) {
                OffsetAndMetadata c = committed.get(p);
                pending += end.get(p) - Math.max(begin.get(p), c == null ? 0 : c.offset());
            }
            return pending;
        }
    }

    /** Replays up to {@code max} records of {@code deadLetterTopic}; {@code defaultTarget} when a record has no header. */
    public Result replay(String deadLetterTopic, String defaultTarget, long max) {
        Map<String, Long> byTarget = new HashMap<>();
        long replayed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); KafkaProducer<byte[], byte[]> producer = producer()) {
            List<TopicPartition> partitions = partitions(consumer, deadLetterTopic);
            if (partitions.isEmpty()) {
                return new Result(deadLetterTopic, 0, 0, Map.of());
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            long before = 0;
            for (TopicPartition p : partitions) {
                OffsetAndMetadata c = committed.get(p);
                long from = Math.max(begin.get(p), c == null ? 0 : c.offset());
                consumer.seek(p, from);
                before += end.get(p) - from;
            }
            Map<TopicPartition, Long> next = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (replayed < Math.min(max, before) && System.nanoTime() < deadline) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TopicPartition p = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(p) && replayed + batch.size() < max) {
                        batch.add(r);
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    Header origin = r.headers().lastHeader("dead-letter-topic");
                    String target = origin == null ? defaultTarget : new String(origin.value(), StandardCharsets.UTF_8);
                    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(target, null, r.key(), r.value(),
                            r.headers());
                    out.headers().remove(REPLAYED_FROM);
                    out.headers().add(REPLAYED_FROM, (r.topic() + "/" + r.partition() + "/" + r.offset())
                            .getBytes(StandardCharsets.UTF_8));
                    producer.send(out);
                    byTarget.merge(target, 1L, Long::sum);
                    next.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                }
                producer.flush();
                if (!batch.isEmpty()) {
                    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
                    next.forEach((p, o) -> commit.put(p, new OffsetAndMetadata(o)));
                    consumer.commitSync(commit);
                    replayed += batch.size();
                }
            }
            return new Result(deadLetterTopic, replayed, before, byTarget);
        }
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.listTopics(Duration.ofSeconds(30)).getOrDefault(topic, List.of())
                .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        return partitions;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
