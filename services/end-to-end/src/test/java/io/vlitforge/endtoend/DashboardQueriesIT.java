package io.vlitforge.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.testing.Fixtures;
import io.vlitforge.shared.testing.OpenAiStubServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards against a real Prometheus (Debian's {@code prometheus} binary) scraping the
 * four services as separate processes during a real pipeline run (COCO fixture, a release, and one
 * unreadable record on each inbound topic so that the dead-letter metrics exist), on the Kafka broker,
 * PostgreSQL and S3 server that {@code bin/vlit test} starts; nothing is stubbed. Every query of every
 * panel must return at least one series, and the dead-letter alert must fire.
 */
class DashboardQueriesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path ROOT = Fixtures.repositoryRoot();
    private static final String PROMETHEUS_MISSING =
            "prometheus is not installed: apt-get install -y prometheus (Debian's package, which also brings promtool)";

    /** Grafana's variables, replaced by what a dashboard over the last minutes would use. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__interval", "1m", "$__range", "1m", "${__range}", "1m",
            "${__rate_interval}", "1m", "${__interval}", "1m");
    /** Inbound topic of each consumer and the metric its dead letters are counted in. */
    private static final Map<String, String> DEAD_LETTER_METRICS = Map.of(
            "images.ingested", "vlit_generation_records_dead_lettered_total",
            "samples.generated", "vlit_filtering_records_dead_lettered_total",
            "samples.accepted", "vlit_publication_records_dead_lettered_total");

    private static PipelineStack stack;
    /** The model endpoint of the self-instruct conversation step, so the model panels have data too. */
    private static OpenAiStubServer modelEndpoint;
    private static Process prometheus;
    private static String prometheusUrl;

    @BeforeAll
    static void start() throws Exception {
        // The tools first: a missing one fails before minutes of service start-up.
        DeploymentManifestsTest.run(ROOT, List.of("prometheus", "--version"), PROMETHEUS_MISSING);
        kafkaTools();

        // LLaVA's own seed conversation as every reply: the reply format the conversation step parses.
        String reply = Files.readString(Fixtures.root().resolve("llava/prompts/conversation/000_conv.txt"));
        modelEndpoint = new OpenAiStubServer().responder(request -> reply);
        stack = PipelineStack.start("metrics", "vlit_e2e_metrics", "e2e-logs-metrics", Map.of(
                "VLIT_SI_CONVERSATION_ENABLED", "true",
                "VLIT_SI_CONVERSATION_URL", modelEndpoint.baseUrl(),
                "VLIT_SI_CONVERSATION_MODEL", "stub-llm",
                "VLIT_SI_CONVERSATION_PRICE_PROMPT", "0.5",
                "VLIT_SI_CONVERSATION_PRICE_COMPLETION", "1.5"));
        startPrometheus();
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
        if (stack != null) {
            stack.close();
        }
        if (modelEndpoint != null) {
            modelEndpoint.close();
        }
    }

    @Test
    void everyDashboardQueryReturnsDataWhileThePipelineRuns() throws Exception {
        JsonNode ingest = stack.ingestCocoFixture();
        int images = ingest.get("imagesNew").asInt();
        assertEquals(80, images);
        long samples = stack.awaitQuiet(images).get("generation").get("samples").asLong();
        stack.post("publication", "/releases", Map.of("name", "metrics"), 201);

        for (String topic : DEAD_LETTER_METRICS.keySet()) {
            produceUnreadable(stack.run + "." + topic);
        }
        for (String metric : DEAD_LETTER_METRICS.values()) {
            awaitSeries(metric, Duration.ofMinutes(2));
        }
        // A few more scrapes, so that every rate() window holds at least two samples of each counter.
        Thread.sleep(5_000);

        // What the panels show is what the services did.
        assertEquals(images, value("sum(vlit_ingest_images_total{outcome=\"new\"})"));
        assertEquals(samples, value("sum(vlit_generation_samples_total)"));
        assertEquals(samples, value("sum(vlit_filtering_verdicts_total)"));
        assertEquals(1, value("sum(vlit_publication_releases_total)"));
        assertTrue(modelEndpoint.requests() > 0, "the conversation step called its endpoint");
        assertEquals(modelEndpoint.requests(), value("sum(vlit_generation_model_requests_total{outcome=\"ok\"})"),
                "every request the endpoint answered is counted");
        assertTrue(value("sum(vlit_generation_model_cost_total) * 1000") > 0, "the calls cost what the prices say");

        // Every panel query, as Grafana would send it. Micrometer binds the Kafka clients' per-topic and
        // per-partition metrics on its refresh (every minute), so those may take a minute to appear:
        // the queries that return nothing yet are asked again until a deadline.
        Map<String, String> pending = new LinkedHashMap<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText();
                    pending.put(file.getFileName() + " / " + panel.path("title").asText() + " / "
                            + target.path("refId").asText() + ": " + expr, substitute(expr));
                }
            }
        }
        int queries = pending.size();
        assertTrue(queries >= 50, "panel queries found: " + queries);
        Map<String, String> answers = new LinkedHashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (true) {
            answers.clear();
            for (Map.Entry<String, String> q : List.copyOf(pending.entrySet())) {
                JsonNode result = query(q.getValue());
                if (!"success".equals(result.path("status").asText())) {
                    answers.put(q.getKey(), result.toString());
                } else if (result.path("data").path("result").isEmpty()) {
                    answers.put(q.getKey(), "no series");
                } else {
                    pending.remove(q.getKey());
                }
            }
            if (pending.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(2_000);
        }
        System.out.println("DashboardQueriesIT: " + queries + " panel queries checked against Prometheus at "
                + prometheusUrl + ", " + pending.size() + " without data");
        List<String> empty = new ArrayList<>();
        answers.forEach((panel, answer) -> empty.add(panel + " -> " + answer));
        assertTrue(pending.isEmpty(), pending.size() + " of " + queries + " panel queries return nothing:\n"
                + String.join("\n", empty));

        // The dead letters just produced fire the alert for each consumer; every service is up.
        Set<String> consumers = Set.of("generation", "filtering", "publication");
        assertEquals(consumers, awaitAlert("VlitDeadLetters", consumers, Duration.ofMinutes(1)));
        assertEquals(4, value("sum(up{job=~\"ingestion|generation|filtering|publication\"})"));
    }

    static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/grafana/dashboards"))) {
            List<Path> found = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
            assertTrue(found.size() >= 5, "an overview and one dashboard per service: " + found);
            return found;
        }
    }

    /** Every panel of a dashboard, including those nested in rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    private static String substitute(String expr) {
        String concrete = expr;
        for (Map.Entry<String, String> variable : GRAFANA_VARIABLES.entrySet()) {
            concrete = concrete.replace(variable.getKey(), variable.getValue());
        }
        if (concrete.contains("$")) {
            fail("a Grafana variable this test does not know in: " + expr);
        }
        return concrete;
    }

    /**
     * Prometheus with deploy/prometheus/prometheus.yml, its compose targets replaced by the services'
     * real ports, a 1 s scrape interval and the rules of deploy/prometheus/rules.
     */
    private static void startPrometheus() throws Exception {
        Path deploy = ROOT.resolve("deploy/prometheus");
        String config = Files.readString(deploy.resolve("prometheus.yml"));
        config = replaceOnce(config, "scrape_interval: 15s", "scrape_interval: 1s");
        config = replaceOnce(config, "evaluation_interval: 15s", "evaluation_interval: 1s");
        config = replaceOnce(config, "- rules/*.yml", "- " + deploy.resolve("rules").toAbsolutePath() + "/*.yml");
        for (String service : ServiceProcesses.SERVICES) {
            String hostPort = URI.create(stack.services.url(service)).getAuthority();
            config = replaceOnce(config, "\"" + service + ":8080\"", "\"" + hostPort + "\"");
        }
        Path dir = Files.createDirectories(Path.of("target", "prometheus-" + stack.run).toAbsolutePath());
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        prometheusUrl = "http://127.0.0.1:" + port;
        Path log = Files.createDirectories(Path.of("target", "e2e-logs-metrics")).resolve("prometheus.log");
        try {
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + configFile,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            fail(PROMETHEUS_MISSING + " (" + e.getMessage() + ")");
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            if (!prometheus.isAlive()) {
                fail("prometheus exited with " + prometheus.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                fail("prometheus not ready in a minute:\n" + Files.readString(log));
            }
            Thread.sleep(250);
        }
        // All four targets scraped successfully at least once.
        long scraped = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (value("sum(up{job=~\"ingestion|generation|filtering|publication\"})") != 4) {
            if (System.nanoTime() > scraped) {
                fail("Prometheus does not scrape all four services: " + query("up"));
            }
            Thread.sleep(500);
        }
    }

    private static String replaceOnce(String text, String from, String to) {
        int at = text.indexOf(from);
        if (at < 0 || text.indexOf(from, at + 1) >= 0) {
            fail("deploy/prometheus/prometheus.yml should contain '" + from + "' exactly once: "
                    + "the test derives its config from it");
        }
        return text.replace(from, to);
    }

    /** Writes one record that no consumer can read to a topic, with Kafka's console producer. */
    private static void produceUnreadable(String topic) throws Exception {
        Path lib = kafkaTools();
        Process producer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", lib + "/*",
                "-Dlog4j2.configurationFile=" + ROOT.resolve("deploy/local/tools-log4j2.xml"),
                "org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", stack.kafka, "--topic", topic,
                "--property", "parse.key=true", "--property", "key.separator=|")
                .redirectErrorStream(true).start();
        producer.getOutputStream().write("unreadable|this is not an event\n".getBytes(StandardCharsets.UTF_8));
        producer.getOutputStream().close();
        String output = new String(producer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!producer.waitFor(2, TimeUnit.MINUTES)) {
            producer.destroyForcibly();
            fail("the console producer did not finish writing to " + topic);
        }
        assertEquals(0, producer.exitValue(), "console producer to " + topic + ":\n" + output);
    }

    /** The Kafka jars bin/vlit resolves for its broker ($VLIT_LIB/kafka), which hold the console producer. */
    private static Path kafkaTools() throws IOException {
        List<Path> candidates = new ArrayList<>();
        String lib = System.getenv("VLIT_LIB");
        if (lib != null && !lib.isBlank()) {
            candidates.add(Path.of(lib, "kafka"));
        }
        String home = System.getenv("VLIT_HOME");
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "lib", "kafka"));
        }
        candidates.add(ROOT.resolve(".vlit/lib/kafka"));
        for (Path candidate : candidates) {
            if (Files.isDirectory(candidate)) {
                try (Stream<Path> jars = Files.list(candidate)) {
                    if (jars.anyMatch(p -> p.getFileName().toString().startsWith("kafka-tools-"))) {
                        return candidate;
                    }
                }
            }
        }
        return fail("no Kafka tools jars in " + candidates + ": run bin/vlit infra up (it resolves them) "
                + "and set VLIT_LIB or VLIT_HOME as bin/vlit does");
    }

    private static void awaitSeries(String metric, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (query(metric).path("data").path("result").isEmpty()) {
            if (System.nanoTime() > deadline) {
                fail(metric + " never reached Prometheus; generation log:\n" + stack.services.tail("generation"));
            }
            Thread.sleep(500);
        }
    }

    private static Set<String> awaitAlert(String alert, Set<String> jobs, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<String> firing = new HashSet<>();
            JsonNode alerts = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/alerts"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            for (JsonNode a : alerts.path("data").path("alerts")) {
                if (alert.equals(a.path("labels").path("alertname").asText())
                        && "firing".equals(a.path("state").asText())) {
                    firing.add(a.path("labels").path("job").asText());
                }
            }
            if (firing.containsAll(jobs) || System.nanoTime() > deadline) {
                return firing;
            }
            Thread.sleep(500);
        }
    }

    private static long value(String promql) throws Exception {
        JsonNode result = query(promql).path("data").path("result");
        if (result.isEmpty()) {
            return -1;
        }
        return Math.round(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    private static JsonNode query(String promql) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}
