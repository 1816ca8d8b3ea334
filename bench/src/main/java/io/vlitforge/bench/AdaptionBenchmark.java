package io.vlitforge.bench;

import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.json.EventJson;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Annotation-adaption throughput end to end through Kafka: {@code images.ingested} records (real COCO captions
 * and boxes) in, the adaption step of the running generation service applies its recipe, and every sample is
 * read back from {@code samples.generated}. Reported as samples/s from the first send to the last sample
 * received, beside the raw produce-and-consume rate of as many records of the same average sizes on the same
 * broker, measured in this run.
 *
 * <p>The services must run with {@code VLIT_TOPIC_PREFIX=<prefix>} and {@code VLIT_AA_RECIPES=<recipe>};
 * {@code bin/vlit bench adaption} arranges that. How many samples to expect is read from generation's
 * lineage ({@code processed_images.samples}), which is written before the samples are sent.
 */
public final class AdaptionBenchmark {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        String jdbcUrl = args[2];
        CocoEvents events = new CocoEvents(java.nio.file.Path.of(args[3]));
        int images = Integer.parseInt(args[4]);
        String recipe = args[5];
        String runId = "bench-" + UUID.randomUUID().toString().substring(0, 8);

        long samples;
        long sampleBytes = 0;
        long eventBytes = 0;
        double seconds;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(SpineBenchmark.consumerConfig(bootstrap));
                KafkaProducer<String, String> producer = new KafkaProducer<>(SpineBenchmark.producerConfig(bootstrap));
                Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null)) {
            consumer.subscribe(List.of(prefix + "samples.generated"));
            consumer.poll(Duration.ofMillis(500));
            long start = System.nanoTime();
            Set<String> imageIds = new HashSet<>();
            for (int n = 0; n < images; n++) {
                ImageIngested event = events.event(runId, n);
                String json = EventJson.write(event);
                eventBytes += json.length();
                imageIds.add(event.imageId());
                producer.send(new ProducerRecord<>(prefix + "images.ingested", event.imageId(), json));
            }
            producer.flush();
            long received = 0;
            long expected = -1;
            long lastSample = start;
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (expected < 0 || received < expected) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    Sample sample = EventJson.read(r.value(), Sample.class);
                    if (imageIds.contains(sample.imageId()) && recipe.equals(sample.lineage().recipe().id())) {
                        received++;
                        sampleBytes += r.value().length();
                        lastSample = System.nanoTime();
                    }
                }
                if (expected < 0) {
                    expected = expectedSamples(db, runId, recipe, images);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + received + " of " + expected + " samples in 20 min");
                }
            }
            samples = received;
            seconds = (lastSample - start) / 1e9;
        }
        double pipeline = samples / seconds;
        int recordSize = (int) Math.round((double) (eventBytes + sampleBytes) / (images + samples));
        double rawRecords = SpineBenchmark.rawKafka(bootstrap, prefix + "bench.raw." + runId, (int) (images + samples),
                "x".repeat(recordSize));
        // The raw rate moves images + samples records; as samples/s it is that rate times the samples' share.
        double baseline = rawRecords * samples / (images + samples);
        System.err.printf("adaption (%s): %d images -> %d samples in %.1f s: %.0f samples/s%n", recipe, images, samples,
                seconds, pipeline);
        System.err.printf("raw kafka (produce+consume, %d-byte records, samples-equivalent): %.0f samples/s%n",
                recordSize, baseline);
        System.err.printf("ratio: %.3f%n", pipeline / baseline);
        System.out.printf("{\"benchmark\":\"adaption\",\"recipe\":\"%s\",\"images\":%d,\"samples\":%d,"
                + "\"rawSamplesPerSecond\":%.1f,\"adaptionSamplesPerSecond\":%.1f,\"ratio\":%.4f}%n", recipe, images,
                samples, baseline, pipeline, pipeline / baseline);
    }

    /** The number of samples the run makes, once generation has processed every image of it; -1 before. */
    private static long expectedSamples(Connection db, String runId, String recipe, int images) throws Exception {
        try (PreparedStatement st = db.prepareStatement("select count(*), coalesce(sum(samples), 0) from "
                + "generation.processed_images where ingest_run_id = ? and recipe_id = ?")) {
            st.setString(1, runId);
            st.setString(2, recipe);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1) < images ? -1 : rs.getLong(2);
            }
        }
    }

    private AdaptionBenchmark() {
    }
}
