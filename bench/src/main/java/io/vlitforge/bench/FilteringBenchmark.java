package io.vlitforge.bench;

import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.json.EventJson;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The filter chain's throughput through the running filtering service, near-duplicate index in PostgreSQL
 * included, against the raw produce-and-consume rate of the same records on the same broker, measured in the
 * same run. The samples are what generation makes of the COCO fixture (every caption as a brief caption, the
 * captions plus the box list as a detailed description, one counting answer per category), each image under
 * a fresh id and with its ground truth, so every filter (hallucination and complexity too) does its real
 * work; one sample in ten is a near-duplicate of another sample of its image, so the index rejects some.
 * Reported: samples/s of each, the ratio, and samples/s per core of the machine (everything shares it).
 * Then two checks on the same data: no near-duplicate pair has both samples accepted (run it with two
 * filtering replicas to check the index across replicas), and a second run over the same samples adds no
 * verdict.
 */
public final class FilteringBenchmark {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        String jdbcUrl = args[2];
        Path coco = Path.of(args[3]);
        int count = Integer.parseInt(args[4]);

        CocoEvents events = new CocoEvents(coco);
        String runId = "benchf-" + UUID.randomUUID().toString().substring(0, 8);
        List<Sample> samples = samples(events, runId, count);
        long bytes = 0;
        for (Sample s : samples) {
            bytes += EventJson.write(s).length();
        }
        int recordSize = (int) (bytes / samples.size());

        double filtering = filtering(bootstrap, prefix, jdbcUrl, samples);
        long bothAccepted = bothAccepted(jdbcUrl, samples);
        long replayAdded = replay(bootstrap, prefix, jdbcUrl, samples);
        System.err.printf("near-duplicate pairs with both samples accepted: %d; verdicts added by a second run "
                + "over the same samples: %d%n", bothAccepted, replayAdded);
        double raw = SpineBenchmark.rawKafka(bootstrap, prefix + "bench.raw." + runId, count, "x".repeat(recordSize));
        int cores = Runtime.getRuntime().availableProcessors();
        System.err.printf("raw kafka (produce+consume): %.0f records/s of %d bytes%n", raw, recordSize);
        System.err.printf("filtering (content filters, duplicates and quotas in PostgreSQL): %.0f samples/s, "
                + "%.0f samples/s/core on %d cores%n", filtering, filtering / cores, cores);
        System.err.printf("ratio: %.3f%n", filtering / raw);
        System.out.printf("{\"benchmark\":\"filtering\",\"samples\":%d,\"rawSamplesPerSecond\":%.1f,"
                + "\"filteringSamplesPerSecond\":%.1f,\"samplesPerSecondPerCore\":%.1f,\"cores\":%d,"
                + "\"ratio\":%.4f,\"nearDuplicatesBothAccepted\":%d,\"secondRunAdded\":%d}%n", count, raw, filtering,
                filtering / cores, cores, filtering / raw, bothAccepted, replayAdded);
    }

    /** {@code count} samples: per fixture image its brief captions, detailed description and counts. */
    static List<Sample> samples(CocoEvents events, String runId, int count) {
        List<Sample> out = new ArrayList<>(count);
        Lineage lineage = new Lineage(Strategy.AA, new Recipe("bench", "1", "h"), "t/0", 1, null, "coco-xywh", null,
                List.of());
        for (int n = 0; out.size() < count; n++) {
            ImageIngested image = events.event(runId, n);
            GroundTruth truth = GroundTruth.of(image.captions(), image.boxes());
            List<Sample> ofImage = new ArrayList<>();
            for (String caption : image.captions()) {
                ofImage.add(sample(image, "brief_caption", "Describe the image concisely.", sentence(caption), truth,
                        lineage, ofImage.size()));
            }
            if (image.captions().size() >= 2) {
                StringBuilder detail = new StringBuilder();
                image.captions().forEach(c -> detail.append(sentence(c)).append(' '));
                List<String> parts = new ArrayList<>();
                truth.objectCounts().forEach((category, k) -> parts.add(k + " " + category));
                if (!parts.isEmpty()) {
                    detail.append("The objects in the scene are ").append(String.join(", ", parts)).append('.');
                }
                ofImage.add(sample(image, "detailed_description", "Describe the following image in detail.",
                        detail.toString().strip(), truth, lineage, ofImage.size()));
            }
            truth.objectCounts().forEach((category, k) -> ofImage.add(sample(image, "object_counting",
                    "How many " + category + " are there?", (k == 1 ? "There is " : "There are ") + k + " "
                            + category + ".", truth, lineage, ofImage.size())));
            if (!ofImage.isEmpty() && n % 2 == 0) {
                // A near-duplicate: the first caption again with one more word.
                Sample first = ofImage.get(0);
                ofImage.add(sample(image, first.task(), "Describe the image concisely.",
                        first.conversations().get(1).value().replaceAll("\\.$", "") + " today.", truth, lineage,
                        ofImage.size()));
            }
            for (Sample s : ofImage) {
                if (out.size() < count) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static Sample sample(ImageIngested image, String task, String instruction, String answer,
            GroundTruth truth, Lineage lineage, int k) {
        return new Sample(Sample.SCHEMA_VERSION, Ids.sha256Hex(image.imageId() + "/" + k).substring(0, 32),
                image.imageId(), image.imageKey(), List.of(Turn.human("<image>\n" + instruction), Turn.gpt(answer)),
                task, task, image.licence(), lineage, Usage.NONE, "2026-11-26T00:00:00Z", truth);
    }

    private static String sentence(String caption) {
        String s = caption.strip().replaceAll("\\s+", " ");
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return s.endsWith(".") ? s : s + ".";
    }

    /** Sends every sample to {@code samples.generated} and waits until the service has stored all verdicts. */
    private static double filtering(String bootstrap, String prefix, String jdbcUrl, List<Sample> samples)
            throws Exception {
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                KafkaProducer<String, String> producer =
                        new KafkaProducer<>(SpineBenchmark.producerConfig(bootstrap))) {
            long before = count(db);
            long start = System.nanoTime();
            for (Sample s : samples) {
                producer.send(new ProducerRecord<>(prefix + "samples.generated", s.id(), EventJson.write(s)));
            }
            producer.flush();
            long stored = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (stored < samples.size()) {
                Thread.sleep(100);
                stored = count(db) - before;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + stored + " of " + samples.size() + " decided in 20 min");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            try (PreparedStatement st = db.prepareStatement("select reason, count(*) from filtering.verdicts "
                    + "where outcome = 'REJECTED' group by reason order by 2 desc");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    System.err.printf("  rejected %s: %d%n", rs.getString(1), rs.getLong(2));
                }
            }
            return samples.size() / seconds;
        }
    }

    /** Near-duplicate pairs (a caption and the same caption plus "today") that were both accepted: should be 0. */
    private static long bothAccepted(String jdbcUrl, List<Sample> samples) throws Exception {
        Map<String, List<String>> byImageAnswer = new HashMap<>();
        for (Sample s : samples) {
            String answer = s.conversations().get(1).value().replaceAll(" today\\.$", ".");
            byImageAnswer.computeIfAbsent(s.imageId() + "|" + answer, k -> new ArrayList<>()).add(s.id());
        }
        long both = 0;
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                PreparedStatement st = db.prepareStatement("select count(*) from filtering.verdicts "
                        + "where outcome = 'ACCEPTED' and sample_id = any(?)")) {
            for (List<String> ids : byImageAnswer.values()) {
                if (ids.size() == 2) {
                    st.setArray(1, db.createArrayOf("varchar", ids.toArray()));
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        both += rs.getLong(1) == 2 ? 1 : 0;
                    }
                }
            }
        }
        return both;
    }

    /**
     * Sends the same samples again and waits until the service has answered every one of them once more on
     * samples.accepted or samples.rejected (a redelivery re-sends the stored decision); returns how many
     * verdict rows that added, which should be none.
     */
    private static long replay(String bootstrap, String prefix, String jdbcUrl, List<Sample> samples)
            throws Exception {
        Properties config = SpineBenchmark.consumerConfig(bootstrap);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                KafkaProducer<String, String> producer = new KafkaProducer<>(SpineBenchmark.producerConfig(bootstrap));
                KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(prefix + "samples.accepted", prefix + "samples.rejected"));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(200));
            }
            consumer.assignment().forEach(tp -> consumer.position(tp));
            long before = count(db);
            Set<String> waiting = new HashSet<>();
            for (Sample s : samples) {
                waiting.add(s.id());
                producer.send(new ProducerRecord<>(prefix + "samples.generated", s.id(), EventJson.write(s)));
            }
            producer.flush();
            long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (!waiting.isEmpty()) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> waiting.remove(r.key()));
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(waiting.size() + " replayed samples unanswered in 20 min");
                }
            }
            return count(db) - before;
        }
    }

    private static long count(Connection db) throws Exception {
        try (PreparedStatement st = db.prepareStatement("select count(*) from filtering.verdicts");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private FilteringBenchmark() {
    }
}
