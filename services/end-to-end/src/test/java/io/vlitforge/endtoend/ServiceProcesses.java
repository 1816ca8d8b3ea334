package io.vlitforge.endtoend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the four services from their packaged jars as separate operating-system processes, each on a
 * free port, with the environment a deployment would give them; logs go to target/e2e-logs.
 */
final class ServiceProcesses implements AutoCloseable {

    static final List<String> SERVICES = List.of("ingestion", "generation", "filtering", "publication");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Path logs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ServiceProcesses(Path repositoryRoot, Path logs, Map<String, String> environment) throws IOException {
        this.logs = Files.createDirectories(logs);
        for (String service : SERVICES) {
            Path jar = repositoryRoot.resolve("services/" + service + "/target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: package the services first (bin/vlit test does)");
            }
            int port = freePort();
            ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx384m", "-jar", jar.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log(service).toFile());
            builder.environment().putAll(environment);
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            processes.put(service, builder.start());
            ports.put(service, port);
        }
    }

    String url(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (String service : SERVICES) {
            while (true) {
                Process p = processes.get(service);
                if (!p.isAlive()) {
                    throw new IllegalStateException(service + " exited with " + p.exitValue() + "; log:\n" + tail(service));
                }
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url(service) + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(service + " not ready in " + timeout + "; log:\n" + tail(service));
                }
                Thread.sleep(250);
            }
        }
    }

    /** The last 40 lines of a service's log, JSON lines shown as text (time, level, logger, message, ids). */
    String tail(String service) {
        try {
            List<String> lines = Files.readAllLines(log(service));
            return lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream().map(ServiceProcesses::readable)
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The file a service logs to (one JSON object per line: the services run packaged, as in production). */
    Path log(String service) {
        return logs.resolve(service + ".log");
    }

    /** A JSON log line as one line of text; any other line as it is. */
    static String readable(String line) {
        if (!line.startsWith("{")) {
            return line;
        }
        try {
            JsonNode record = JSON.readTree(line);
            StringBuilder text = new StringBuilder().append(record.path("timestamp").asText()).append(' ')
                    .append(record.path("level").asText()).append(" [").append(record.path("loggerName").asText())
                    .append("] ").append(record.path("message").asText());
            if (record.path("mdc").size() > 0) {
                text.append(' ').append(record.path("mdc"));
            }
            JsonNode exception = record.path("exception");
            if (!exception.isMissingNode()) {
                text.append("\n    ").append(exception.path("exceptionType").asText()).append(": ")
                        .append(exception.path("message").asText());
            }
            return text.toString();
        } catch (IOException notJson) {
            return line;
        }
    }

    @Override
    public void close() throws InterruptedException {
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
