package io.vlitforge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.json.EventJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Memory of every service as the data grows: the adaption path is loaded with enough images for
 * {@code 100k} samples (all sent at once, so the services work through a backlog, as they do after an
 * outage), and each service's resident memory (VmRSS) and its heap in use after a full GC are read at the
 * first checkpoint (10k samples stored by publication, the baseline) and at the last one (100k). Flat means
 * the ratio last/first stays near 1: nothing a service keeps grows with the number of samples it has seen.
 *
 * <p>Arguments: bootstrap, topic prefix, JDBC URL, COCO fixture folder, the folder of the services' pid
 * files, images, and the checkpoints in samples (comma-separated). Prints one JSON line.
 */
public final class MemoryBenchmark {

    private static final List<String> SERVICES = List.of("ingestion", "generation", "filtering", "publication");

    private MemoryBenchmark() {
    }

    /** Each service's pid, in pipeline order, from the pid files bin/vlit writes ({@code <service>.pid}). */
    static Map<String, Long> servicePids(Path pidDir) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String s : SERVICES) {
            pids.put(s, Long.parseLong(Files.readString(pidDir.resolve(s + ".pid")).strip()));
        }
        return pids;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String prefix = args[1];
        String jdbcUrl = args[2];
        CocoEvents events = new CocoEvents(Path.of(args[3]));
        Path pidDir = Path.of(args[4]);
        int images = Integer.parseInt(args[5]);
        List<Long> checkpoints = new ArrayList<>();
        for (String c : args[6].split(",")) {
            checkpoints.add(Long.parseLong(c.strip()));
        }
        String runId = "memory-" + System.currentTimeMillis();
        Map<String, Long> pids = servicePids(pidDir);

        long start = System.nanoTime();
        Map<Long, Map<String, Map<String, Long>>> readings = new LinkedHashMap<>();
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", null);
                KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap))) {
            long before = count(db);
            for (int n = 0; n < images; n++) {
                ImageIngested event = events.event(runId, n);
                producer.send(new ProducerRecord<>(prefix + "images.ingested", event.imageId(), EventJson.write(event)));
            }
            producer.flush();
            long deadline = System.nanoTime() + Duration.ofMinutes(40).toNanos();
            for (long checkpoint : checkpoints) {
                long stored;
                while ((stored = count(db) - before) < checkpoint) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + stored + " samples stored in 40 min");
                    }
                    Thread.sleep(200);
                }
                Map<String, Map<String, Long>> atCheckpoint = new LinkedHashMap<>();
                for (Map.Entry<String, Long> service : pids.entrySet()) {
                    Map<String, Long> m = new LinkedHashMap<>();
                    m.put("rssKiB", rssKiB(service.getValue()));
                    m.put("heapUsedAfterGcKiB", heapUsedAfterFullGc(service.getValue()));
                    atCheckpoint.put(service.getKey(), m);
                    printHistogram(service.getKey(), checkpoint, service.getValue());
                }
                readings.put(checkpoint, atCheckpoint);
                System.err.printf("memory: %d samples stored after %.0f s: %s%n", stored,
                        (System.nanoTime() - start) / 1e9, atCheckpoint);
            }
        }

        long first = checkpoints.get(0);
        long last = checkpoints.get(checkpoints.size() - 1);
        Map<String, Object> services = new LinkedHashMap<>();
        for (String s : SERVICES) {
            Map<String, Object> r = new LinkedHashMap<>();
            long rssFirst = readings.get(first).get(s).get("rssKiB");
            long rssLast = readings.get(last).get(s).get("rssKiB");
            long heapFirst = readings.get(first).get(s).get("heapUsedAfterGcKiB");
            long heapLast = readings.get(last).get(s).get("heapUsedAfterGcKiB");
            r.put("rssMiB", List.of(rssFirst / 1024, rssLast / 1024));
            r.put("rssRatio", round(rssLast / (double) rssFirst));
            r.put("heapAfterGcMiB", List.of(heapFirst / 1024, heapLast / 1024));
            r.put("heapAfterGcRatio", heapFirst <= 0 ? null : round(heapLast / (double) heapFirst));
            services.put(s, r);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "memory");
        result.put("images", images);
        result.put("checkpoints", checkpoints);
        result.put("services", services);
        result.put("loadSeconds", round((System.nanoTime() - start) / 1e9));
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Resident set size from /proc, the memory the machine actually gives the process. */
    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }

    /**
     * Heap in use right after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}): what the service
     * really keeps, independent of how lazily the collector gives memory back. -1 when jcmd is not there.
     */
    static long heapUsedAfterFullGc(long pid) {
        try {
            run("jcmd", Long.toString(pid), "GC.run");
            String info = run("jcmd", Long.toString(pid), "GC.heap_info");
            for (String line : info.split("\n")) {
                String t = line.strip();
                if (t.startsWith("garbage-first heap") || t.contains(" heap ") && t.contains("used")) {
                    int used = t.indexOf("used ");
                    if (used >= 0) {
                        return Long.parseLong(t.substring(used + 5).replaceAll("K.*", "").strip());
                    }
                }
            }
        } catch (IOException | InterruptedException | NumberFormatException e) {
            System.err.println("memory: no heap reading for pid " + pid + ": " + e.getMessage());
        }
        return -1;
    }

    /** The classes holding most of the heap (after the full GC just run), to compare checkpoints by eye. */
    private static void printHistogram(String service, long checkpoint, long pid) {
        try {
            String[] lines = run("jcmd", Long.toString(pid), "GC.class_histogram").split("\n");
            StringBuilder top = new StringBuilder();
            for (int i = 0; i < Math.min(lines.length, 16); i++) {
                top.append("  ").append(lines[i]).append('\n');
            }
            System.err.printf("memory: %s at %d samples, largest classes:%n%s", service, checkpoint, top);
        } catch (IOException | InterruptedException e) {
            System.err.println("memory: no class histogram for " + service + ": " + e.getMessage());
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Samples publication has stored: the progress every pipeline benchmark waits on. */
    static long count(Connection db) throws Exception {
        try (PreparedStatement st = db.prepareStatement("select count(*) from publication.accepted_samples");
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Producer settings of the benchmarks that feed the pipeline (acks=all, linger 5 ms, as the services). */
    static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }
}
