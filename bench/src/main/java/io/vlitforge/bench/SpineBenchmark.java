package io.vlitforge.bench;

import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.json.EventJson;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Benchmark 1, the spine: the adaption path end to end (an {@code images.ingested} record in, its
 * accepted samples stored by publication) against the raw produce-and-consume rate of records of the
 * same sizes on the same broker, both measured in this run. Reports samples/s and their ratio.
 *
 * <p>The services must already run with {@code VLIT_TOPIC_PREFIX=<prefix>} against database
 * {@code <database>}; {@code bin/vlit bench spine} arranges that.
 */
public final class SpineBenchmark {

    private static final int SAMPLES_PER_IMAGE = 3;

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        String jdbcUrl = args[2];
        Path coco = Path.of(args[3]);
        int images = Integer.parseInt(args[4]);

        CocoEvents events = new CocoEvents(coco);
        String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        double pipeline = adaptionPath(bootstrap, prefix, jdbcUrl, events, runId, images);

        // The baseline moves as many records as the pipeline's first hop and its samples carry, each of the
        // average size of what the pipeline moved: one image event plus three samples per image.
        int recordSize = averageRecordSize(jdbcUrl, events, runId, images);
        String record = "x".repeat(recordSize);
        double rawRecords = rawKafka(bootstrap, prefix + "bench.raw." + runId, images * (1 + SAMPLES_PER_IMAGE), record);
        double baseline = rawRecords / (1 + SAMPLES_PER_IMAGE) * SAMPLES_PER_IMAGE;
        System.err.printf("raw kafka: %.0f records/s of %d bytes%n", rawRecords, recordSize);

        System.err.printf("raw kafka (produce+consume, samples-equivalent): %.0f samples/s%n", baseline);
        System.err.printf("adaption path end to end: %.0f samples/s%n", pipeline);
        System.err.printf("ratio: %.3f%n", pipeline / baseline);
        System.out.printf("{\"benchmark\":\"spine\",\"images\":%d,\"samples\":%d,\"rawSamplesPerSecond\":%.1f,"
                + "\"pipelineSamplesPerSecond\":%.1f,\"ratio\":%.4f}%n", images, images * SAMPLES_PER_IMAGE, baseline,
                pipeline, pipeline / baseline);
    }

    /** Produces {@code count} records and consumes them back; records/s from first send to last receive. */
    static double rawKafka(String bootstrap, String topic, int count, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap));
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(bootstrap))) {
            consumer.subscribe(List.of(topic));
            producer.send(new ProducerRecord<>(topic, "warm-up", value)).get();
            long seen = 0;
            while (seen < 1) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
            long start = System.nanoTime();
            AtomicLong failed = new AtomicLong();
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), value), (m, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
            long received = 0;
            while (received < count) {
                received += consumer.poll(Duration.ofMillis(200)).count();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " raw sends failed");
            }
            return count / seconds;
        }
    }

    /** Sends {@code images} events and waits until publication has stored all their samples. */
    private static double adaptionPath(String bootstrap, String prefix, String jdbcUrl, CocoEvents events,
            String runId, int images) throws Exception {
        long expected = (long) images * SAMPLES_PER_IMAGE;
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap))) {
            long before = count(db);
            long start = System.nanoTime();
            for (int n = 0; n < images; n++) {
                ImageIngested event = events.event(runId, n);
                producer.send(new ProducerRecord<>(prefix + "images.ingested", event.imageId(), EventJson.write(event)));
            }
            producer.flush();
            long stored = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (stored < expected) {
                Thread.sleep(100);
                stored = count(db) - before;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + stored + " of " + expected + " samples stored in 20 min");
                }
            }
            return expected / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static int averageRecordSize(String jdbcUrl, CocoEvents events, String runId, int images)
            throws Exception {
        long eventBytes = 0;
        for (int n = 0; n < Math.min(images, 80); n++) {
            eventBytes += EventJson.write(events.event(runId, n)).length();
        }
        double eventAverage = (double) eventBytes / Math.min(images, 80);
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                PreparedStatement st = db.prepareStatement(
                        "select avg(length(sample_json)) from publication.accepted_samples");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            double sampleAverage = rs.getDouble(1);
            return (int) Math.round((eventAverage + SAMPLES_PER_IMAGE * sampleAverage) / (1 + SAMPLES_PER_IMAGE));
        }
    }

    private static long count(Connection db) throws Exception {
        try (PreparedStatement st = db.prepareStatement("select count(*) from publication.accepted_samples");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The same producer settings as the services' channels. */
    static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return p;
    }

    static Properties consumerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return p;
    }

    private SpineBenchmark() {
    }
}
