package io.vlitforge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.json.EventJson;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sustained load (issue 9): the adaption path fed at the benchmark rate for a fixed time while every service's
 * resident memory is sampled, to show that memory stays flat under load that does not end.
 * <ol>
 * <li><b>Calibration</b>: {@code CALIBRATION_IMAGES} images sent at once; the rate at which publication stores
 * their samples is the benchmark rate of this run (as the spine benchmark measures it).</li>
 * <li><b>Soak</b>: for {@code SECONDS}, images are sent every second at {@code LOAD} (0.8) of that rate, so the
 * pipeline keeps up rather than building a backlog. Each service's VmRSS is read every 10 s. Its heap in use
 * after a full GC is read once the first minute is over (the baseline: the JIT and the caches have warmed up)
 * and again at the end.</li>
 * <li><b>Drain</b>: the time until publication has stored every sample that was sent.</li>
 * </ol>
 * Reported per service: RSS at the end of the first minute and at the end, the highest RSS after the first
 * minute, their ratio, and the heap after GC at both points. Flat means ratios near 1. Also reported: samples
 * sent and stored during the soak, the rate achieved, and the backlog at the end.
 * <p>Arguments: bootstrap, topic prefix, JDBC URL, COCO fixture folder, the folder of the services' pid files,
 * seconds of soak. Prints one JSON line.
 */
public final class SoakBenchmark {

    private static final int SAMPLES_PER_IMAGE = 3;
    private static final int CALIBRATION_IMAGES = 1500;
    private static final double LOAD = 0.8;
    private static final int SAMPLE_EVERY_SECONDS = 10;
    private static final int WARM_UP_SECONDS = 60;

    private SoakBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        String jdbcUrl = args[2];
        CocoEvents events = new CocoEvents(Path.of(args[3]));
        Path pidDir = Path.of(args[4]);
        int seconds = Integer.parseInt(args[5]);
        String runId = "soak-" + System.currentTimeMillis();
        Map<String, Long> pids = MemoryBenchmark.servicePids(pidDir);
        String topic = prefix + "images.ingested";
        int next = 0;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "soak");
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                KafkaProducer<String, String> producer = new KafkaProducer<>(MemoryBenchmark.producerConfig(bootstrap))) {
            // 1. Calibration: the pipeline's own rate on this machine now.
            long before = MemoryBenchmark.count(db);
            long t0 = System.nanoTime();
            for (; next < CALIBRATION_IMAGES; next++) {
                send(producer, topic, events.event(runId, next));
            }
            producer.flush();
            waitStored(db, before + (long) CALIBRATION_IMAGES * SAMPLES_PER_IMAGE, Duration.ofMinutes(15));
            double benchmarkRate = CALIBRATION_IMAGES * SAMPLES_PER_IMAGE / ((System.nanoTime() - t0) / 1e9);
            double imagesPerSecond = benchmarkRate * LOAD / SAMPLES_PER_IMAGE;
            System.err.printf("soak: benchmark rate %.0f samples/s; soaking at %.0f%% of it (%.1f images/s) for %d s%n",
                    benchmarkRate, LOAD * 100, imagesPerSecond, seconds);
            result.put("benchmarkSamplesPerSecond", round(benchmarkRate));
            result.put("loadSamplesPerSecond", round(benchmarkRate * LOAD));

            // 2. Soak: a steady rate, RSS every 10 s, heap after GC after the warm-up and at the end.
            long soakStoredBefore = MemoryBenchmark.count(db);
            int soakFirstImage = next;
            long start = System.nanoTime();
            Map<String, List<long[]>> rss = new LinkedHashMap<>();
            pids.keySet().forEach(s -> rss.put(s, new ArrayList<>()));
            Map<String, Long> heapBaseline = new LinkedHashMap<>();
            List<Map<String, Object>> backlog = new ArrayList<>();
            double owed = 0;
            for (int second = 1; second <= seconds; second++) {
                owed += imagesPerSecond;
                for (; owed >= 1; owed--) {
                    send(producer, topic, events.event(runId, next++));
                }
                producer.flush();
                sleepUntil(start + second * 1_000_000_000L);
                // The baseline GC comes before the reading of that second, so the RSS series after the first
                // minute starts from a heap that was just collected, as it ends (the end reading follows load).
                if (second == WARM_UP_SECONDS) {
                    pids.forEach((s, pid) -> heapBaseline.put(s, MemoryBenchmark.heapUsedAfterFullGc(pid)));
                }
                if (second % SAMPLE_EVERY_SECONDS == 0) {
                    for (Map.Entry<String, Long> service : pids.entrySet()) {
                        rss.get(service.getKey()).add(new long[] {second, MemoryBenchmark.rssKiB(service.getValue())});
                    }
                    long sent = (long) (next - soakFirstImage) * SAMPLES_PER_IMAGE;
                    long stored = MemoryBenchmark.count(db) - soakStoredBefore;
                    Map<String, Object> point = new LinkedHashMap<>();
                    point.put("second", second);
                    point.put("sent", sent);
                    point.put("stored", stored);
                    backlog.add(point);
                    System.err.printf("soak: %4d s, %d samples sent, %d stored; RSS MiB %s%n", second, sent, stored,
                            lastRssMiB(rss));
                }
            }
            long sentSamples = (long) (next - soakFirstImage) * SAMPLES_PER_IMAGE;
            long storedAtEnd = MemoryBenchmark.count(db) - soakStoredBefore;
            double soakSeconds = (System.nanoTime() - start) / 1e9;

            // 3. Drain.
            long drainStart = System.nanoTime();
            waitStored(db, soakStoredBefore + sentSamples, Duration.ofMinutes(15));
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;

            Map<String, Object> services = new LinkedHashMap<>();
            for (Map.Entry<String, Long> service : pids.entrySet()) {
                String s = service.getKey();
                List<long[]> points = rss.get(s);
                long atWarmUp = points.stream().filter(p -> p[0] >= WARM_UP_SECONDS).findFirst()
                        .orElse(points.get(0))[1];
                long atEnd = points.get(points.size() - 1)[1];
                long highest = points.stream().filter(p -> p[0] >= WARM_UP_SECONDS).mapToLong(p -> p[1]).max()
                        .orElse(atEnd);
                long heapEnd = MemoryBenchmark.heapUsedAfterFullGc(service.getValue());
                long heapStart = heapBaseline.getOrDefault(s, -1L);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("rssMiBAfterFirstMinute", atWarmUp / 1024);
                r.put("rssMiBAtEnd", atEnd / 1024);
                r.put("rssMiBHighest", highest / 1024);
                r.put("rssRatio", round(atEnd / (double) atWarmUp));
                r.put("heapAfterGcMiB", List.of(heapStart / 1024, heapEnd / 1024));
                r.put("heapAfterGcRatio", heapStart <= 0 ? null : round(heapEnd / (double) heapStart));
                r.put("rssMiBEvery10s", points.stream().map(p -> p[1] / 1024).toList());
                services.put(s, r);
            }
            result.put("soakSeconds", seconds);
            result.put("samplesSent", sentSamples);
            result.put("samplesStoredDuringSoak", storedAtEnd);
            result.put("achievedSamplesPerSecond", round(storedAtEnd / soakSeconds));
            result.put("backlogAtEnd", sentSamples - storedAtEnd);
            result.put("drainSeconds", round(drainSeconds));
            result.put("services", services);
            result.put("backlogEvery10s", backlog);
        }
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    private static String lastRssMiB(Map<String, List<long[]>> rss) {
        StringBuilder out = new StringBuilder();
        rss.forEach((s, points) -> out.append(s).append('=').append(points.get(points.size() - 1)[1] / 1024).append(' '));
        return out.toString().strip();
    }

    private static void send(KafkaProducer<String, String> producer, String topic, ImageIngested event) {
        producer.send(new ProducerRecord<>(topic, event.imageId(), EventJson.write(event)));
    }

    private static void waitStored(Connection db, long target, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        long stored;
        while ((stored = MemoryBenchmark.count(db)) < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + stored + " of " + target + " samples stored in " + limit);
            }
            Thread.sleep(200);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
