package io.vlitforge.endtoend;

import static io.vlitforge.endtoend.KustomizeYaml.list;
import static io.vlitforge.endtoend.KustomizeYaml.map;
import static io.vlitforge.endtoend.KustomizeYaml.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment files under deploy/ checked offline with the real tools: {@code kubectl kustomize}
 * renders the local overlay, {@code promtool} checks the Prometheus config and rules and runs the
 * alert unit tests. Nothing is stubbed; no cluster and no running Prometheus are needed. The expected
 * consumer groups and topics are read from the services' application.properties, so a channel added
 * there without its manifests fails here.
 */
class DeploymentManifestsTest {

    private static final Path ROOT = Fixtures.repositoryRoot();
    private static final Path OVERLAY = ROOT.resolve("deploy/kubernetes/overlays/local");
    private static final Path PROMETHEUS = ROOT.resolve("deploy/prometheus");
    private static final Pattern INCOMING = Pattern.compile("^mp\\.messaging\\.incoming\\.\"?([^\".]+(?:\\.[^\".]+)*?)\"?\\."
            + "(topic|group\\.id|dead-letter-queue\\.topic)=\\$\\{vlit\\.topic-prefix}(\\S+)$");
    /** A channel's on/off switch: {@code enabled=${VARIABLE:default}}. */
    private static final Pattern ENABLED = Pattern.compile("^mp\\.messaging\\.incoming\\.\"?([^\"]+?)\"?\\."
            + "enabled=\\$\\{([A-Z0-9_]+):(true|false)}$");
    private static final Pattern OUTGOING_TOPIC = Pattern.compile(
            "^mp\\.messaging\\.outgoing\\.\"([^\"]+)\"\\.topic=\\$\\{vlit\\.topic-prefix}(\\S+)$");

    private static List<Map<String, Object>> resources;

    /** One inbound channel of one service: the consumer group KEDA must scale. */
    private record Consumer(String service, String channel, String group, String topic, String deadLetterTopic,
            String switchVariable, boolean onByDefault) {
    }

    @BeforeAll
    static void render() {
        String yaml = run(ROOT, List.of("kubectl", "kustomize", OVERLAY.toString()),
                "kubectl is not installed: install it (https://kubernetes.io/docs/tasks/tools/, or "
                        + "apt-get install -y kubectl from the Kubernetes apt repository); it brings kustomize");
        resources = KustomizeYaml.documents(yaml);
        assertFalse(resources.isEmpty(), "kubectl kustomize rendered nothing");
    }

    @Test
    void everyServiceIsADeploymentWithProbesResourcesConfigurationAndAService() {
        Map<String, Object> config = only("ConfigMap", name -> name.startsWith("vlit-config"));
        Map<String, Object> secret = only("Secret", name -> name.startsWith("vlit-credentials"));
        Map<String, Object> configData = map(config, "data");
        Set<String> secretKeys = new HashSet<>(map(secret, "data").keySet());
        secretKeys.addAll(map(secret, "stringData").keySet());
        for (String key : List.of("VLIT_KAFKA_BOOTSTRAP", "VLIT_S3_ENDPOINT", "VLIT_S3_BUCKET", "VLIT_DB_HOST",
                "VLIT_DB_PORT", "VLIT_DB_NAME", "VLIT_DB_USER", "VLIT_HTTP_HOST", "QUARKUS_HTTP_PORT")) {
            assertNotNull(configData.get(key), "vlit-config sets " + key);
        }
        assertEquals("0.0.0.0", configData.get("VLIT_HTTP_HOST"),
                "in a pod the services must listen on every interface");
        assertEquals(Set.of("VLIT_S3_ACCESS_KEY", "VLIT_S3_SECRET_KEY", "VLIT_DB_PASSWORD", "VLIT_API_KEYS"),
                secretKeys, "the API keys come from the Secret too");
        for (String key : secretKeys) {
            assertFalse(configData.containsKey(key), key + " belongs in the Secret, not the ConfigMap");
        }
        String httpPort = configData.get("QUARKUS_HTTP_PORT").toString();

        for (String service : ServiceProcesses.SERVICES) {
            Map<String, Object> deployment = named("Deployment", service)
                    .orElseThrow(() -> new AssertionError("no Deployment " + service));
            List<Object> containers = list(deployment, "spec.template.spec.containers");
            assertEquals(1, containers.size(), service + ": one container");
            Object container = containers.get(0);
            assertEquals("vlit-forge/" + service + ":0.1.0", string(container, "image"), service);

            assertEquals("/q/health/live", string(container, "livenessProbe.httpGet.path"), service + " liveness");
            assertEquals("/q/health/ready", string(container, "readinessProbe.httpGet.path"), service + " readiness");
            String containerPort = null;
            for (Object port : list(container, "ports")) {
                if ("http".equals(string(port, "name"))) {
                    containerPort = string(port, "containerPort");
                }
            }
            assertEquals(httpPort, containerPort, service + ": the http port is the one QUARKUS_HTTP_PORT sets");
            for (String probe : List.of("livenessProbe", "readinessProbe")) {
                String port = string(container, probe + ".httpGet.port");
                assertTrue("http".equals(port) || httpPort.equals(port), service + " " + probe + " port " + port);
            }

            for (String path : List.of("resources.requests.cpu", "resources.requests.memory",
                    "resources.limits.memory")) {
                assertNotNull(string(container, path), service + " sets " + path);
            }

            Set<String> envFrom = new HashSet<>();
            for (Object source : list(container, "envFrom")) {
                Optional.ofNullable(string(source, "configMapRef.name")).ifPresent(n -> envFrom.add("ConfigMap " + n));
                Optional.ofNullable(string(source, "secretRef.name")).ifPresent(n -> envFrom.add("Secret " + n));
            }
            assertEquals(Set.of("ConfigMap " + name(config), "Secret " + name(secret)), envFrom,
                    service + " takes its environment from the rendered ConfigMap and Secret");

            Map<String, Object> templateLabels = map(deployment, "spec.template.metadata.labels");
            Map<String, Object> selector = map(deployment, "spec.selector.matchLabels");
            assertFalse(selector.isEmpty(), service + " has a selector");
            selector.forEach((k, v) -> assertEquals(v, templateLabels.get(k), service + " selector matches its pods"));

            Map<String, Object> svc = named("Service", service)
                    .orElseThrow(() -> new AssertionError("no Service " + service));
            map(svc, "spec.selector").forEach((k, v) ->
                    assertEquals(v, templateLabels.get(k), "Service " + service + " selects its pods"));
            List<Object> ports = list(svc, "spec.ports");
            assertFalse(ports.isEmpty(), "Service " + service + " has ports");
            for (Object port : ports) {
                String target = string(port, "targetPort");
                assertTrue("http".equals(target) || httpPort.equals(target),
                        "Service " + service + " targets the http port");
            }
        }
    }

    @Test
    void everyConsumerGroupHasAScaledObjectOnItsOwnLagBoundedByPartitions() throws IOException {
        List<Consumer> consumers = consumers();
        Set<String> groups = new HashSet<>();
        consumers.forEach(c -> groups.add(c.group()));
        assertTrue(groups.containsAll(Set.of("generation-adaption", "filtering", "publication")),
                "consumer groups read from application.properties: " + groups);
        String bootstrap = bootstrap();

        for (Consumer consumer : consumers) {
            List<Map<String, Object>> matching = new ArrayList<>();
            for (Map<String, Object> scaled : all("ScaledObject")) {
                for (Object trigger : list(scaled, "spec.triggers")) {
                    if ("kafka".equals(string(trigger, "type"))
                            && consumer.group().equals(string(trigger, "metadata.consumerGroup"))) {
                        matching.add(scaled);
                        assertEquals(consumer.topic(), string(trigger, "metadata.topic"),
                                consumer + ": lag on its inbound topic");
                        assertEquals(bootstrap, string(trigger, "metadata.bootstrapServers"),
                                consumer + ": KEDA reads lag from the cluster the services use");
                    }
                }
            }
            assertEquals(1, matching.size(), "one ScaledObject for consumer group " + consumer.group());
            Map<String, Object> scaled = matching.get(0);
            // The Deployment it scales runs this service's image with this channel switched on: the service's
            // own Deployment, or (for a step with its own switch) a Deployment of that step alone.
            String target = string(scaled, "spec.scaleTargetRef.name");
            Map<String, Object> deployment = named("Deployment", target)
                    .orElseThrow(() -> new AssertionError(consumer + ": no Deployment " + target));
            Object container = list(deployment, "spec.template.spec.containers").get(0);
            assertTrue(string(container, "image").startsWith("vlit-forge/" + consumer.service() + ":"),
                    consumer + ": " + target + " runs the " + consumer.service() + " image");
            if (consumer.switchVariable() != null) {
                String value = null;
                for (Object env : list(container, "env")) {
                    if (consumer.switchVariable().equals(string(env, "name"))) {
                        value = string(env, "value");
                    }
                }
                boolean on = value == null ? consumer.onByDefault() : Boolean.parseBoolean(value);
                assertTrue(on, consumer + ": " + target + " switches the channel on (" + consumer.switchVariable() + ")");
            }
            int min = Integer.parseInt(string(scaled, "spec.minReplicaCount"));
            int max = Integer.parseInt(string(scaled, "spec.maxReplicaCount"));
            int partitions = Integer.parseInt(string(topic(consumer.topic()), "spec.partitions"));
            assertTrue(1 <= min && min <= max, consumer + ": 1 <= min <= max, got " + min + ".." + max);
            assertTrue(max <= partitions, consumer + ": max replicas " + max + " <= partitions " + partitions
                    + " (a replica beyond the partitions holds none)");
        }
        for (Map<String, Object> scaled : all("ScaledObject")) {
            String target = string(scaled, "spec.scaleTargetRef.name");
            assertTrue(named("Deployment", target).isPresent(),
                    "ScaledObject " + name(scaled) + " targets an existing Deployment");
        }
    }

    @Test
    void everySelfInstructStepIsADeploymentOfItsOwnWithOnlyItsSwitchOn() throws IOException {
        List<Consumer> steps = consumers().stream().filter(c -> c.service().equals("generation")
                && c.switchVariable() != null && c.switchVariable().startsWith("VLIT_SI_")).toList();
        Set<String> switches = new LinkedHashSet<>();
        steps.forEach(c -> switches.add(c.switchVariable()));
        assertTrue(switches.containsAll(Set.of("VLIT_SI_CONVERSATION_ENABLED", "VLIT_SI_DETAIL_ENABLED",
                "VLIT_SI_REASONING_ENABLED", "VLIT_SI_DESCRIBE_ENABLED", "VLIT_SI_REPAIR_ENABLED",
                "VLIT_SI_IN_CONTEXT_ENABLED")), "every step has its own switch: " + switches);
        // MiniGPT-4's stage 2 is two steps joined by a topic: describe reads the images, repair the drafts.
        Map<String, Consumer> byGroup = new LinkedHashMap<>();
        steps.forEach(c -> byGroup.put(c.group(), c));
        assertEquals("images.ingested", byGroup.get("generation-si-describe").topic());
        assertEquals("descriptions.drafted", byGroup.get("generation-si-repair").topic());
        assertEquals("descriptions.drafted.dlq", byGroup.get("generation-si-repair").deadLetterTopic());
        assertTrue(outgoingTopics().contains("descriptions.drafted"), "generation publishes the drafts");
        assertEquals("samples.accepted", byGroup.get("generation-si-example-pool").topic(),
                "the in-context step's examples come from accepted samples");
        for (String variable : switches) {
            List<String> on = new ArrayList<>();
            for (Map<String, Object> deployment : all("Deployment")) {
                Object container = list(deployment, "spec.template.spec.containers").get(0);
                if (!string(container, "image").startsWith("vlit-forge/generation:")) {
                    continue;
                }
                Map<String, String> env = new LinkedHashMap<>();
                for (Object e : list(container, "env")) {
                    env.put(string(e, "name"), string(e, "value"));
                }
                if (!"true".equals(env.get(variable))) {
                    continue;
                }
                on.add(name(deployment));
                assertEquals("false", env.get("VLIT_AA_ENABLED"), name(deployment) + ": the adaption channel off");
                env.forEach((k, v) -> assertTrue(!k.startsWith("VLIT_SI_") || !k.endsWith("_ENABLED") || k.equals(variable)
                        || !"true".equals(v), name(deployment) + " runs one step only, but also " + k));
            }
            assertEquals(1, on.size(), variable + " is switched on in exactly one Deployment: " + on);
        }
    }

    @Test
    void everyTopicIsAKafkaTopicOfTheOverlaysCluster() throws IOException {
        Set<String> topics = new LinkedHashSet<>(List.of("images.ingested", "samples.generated", "samples.accepted",
                "samples.rejected", "datasets.published"));
        for (Consumer consumer : consumers()) {
            topics.add(consumer.topic());
            assertEquals(consumer.topic() + ".dlq", consumer.deadLetterTopic(), consumer + ": its dead-letter topic");
            topics.add(consumer.deadLetterTopic());
        }
        topics.addAll(outgoingTopics());
        assertTrue(topics.containsAll(Set.of("images.ingested.dlq", "samples.generated.dlq", "samples.accepted.dlq")),
                topics.toString());

        Map<String, Object> kafka = only("Kafka", n -> true);
        String bootstrap = bootstrap();
        assertTrue(bootstrap.startsWith(name(kafka) + "-kafka-bootstrap:"), "the services use the bootstrap Service of Kafka "
                + name(kafka) + ", got " + bootstrap);
        for (String topic : topics) {
            Map<String, Object> resource = topic(topic);
            assertEquals(name(kafka), map(resource, "metadata.labels").get("strimzi.io/cluster"),
                    topic + ": managed by the topic operator of Kafka " + name(kafka));
            assertTrue(Integer.parseInt(string(resource, "spec.partitions")) >= 1, topic + " has partitions");
            assertTrue(Integer.parseInt(string(resource, "spec.replicas")) >= 1, topic + " has replicas");
        }
    }

    @Test
    void prometheusConfigAndAlertRulesPassPromtool() throws IOException {
        String install = "promtool is not installed: apt-get install -y prometheus (Debian's package brings promtool)";
        run(PROMETHEUS, List.of("promtool", "check", "config", "prometheus.yml"), install);
        List<String> rules = new ArrayList<>(List.of("promtool", "check", "rules"));
        try (Stream<Path> files = Files.list(PROMETHEUS.resolve("rules"))) {
            files.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(p -> rules.add(p.toString()));
        }
        assertTrue(rules.size() > 3, "alert rule files under deploy/prometheus/rules");
        String checked = run(PROMETHEUS, rules, install);
        String alerts = Files.readString(PROMETHEUS.resolve("rules/vlit-alerts.yml"));
        for (String alert : List.of("VlitServiceDown", "VlitConsumerLagGrowing", "VlitDeadLetters", "VlitHttpErrorRate")) {
            assertTrue(alerts.contains("alert: " + alert), alert);
        }
        assertFalse(checked.contains("FAILED"), checked);
        List<String> unitTests = new ArrayList<>(List.of("promtool", "test", "rules"));
        try (Stream<Path> files = Files.list(PROMETHEUS.resolve("tests"))) {
            files.filter(p -> p.toString().endsWith(".yml")).sorted()
                    .forEach(p -> unitTests.add(PROMETHEUS.relativize(p).toString()));
        }
        assertTrue(unitTests.size() > 3, "alert unit tests under deploy/prometheus/tests");
        run(PROMETHEUS, unitTests, install);

        String config = Files.readString(PROMETHEUS.resolve("prometheus.yml"));
        for (String service : ServiceProcesses.SERVICES) {
            assertTrue(config.contains("job_name: " + service), "a scrape job for " + service);
            assertTrue(config.contains("\"" + service + ":8080\""), "the compose target of " + service);
        }
        assertEquals(ServiceProcesses.SERVICES.size(), config.split("metrics_path: /q/metrics", -1).length - 1,
                "every job scrapes /q/metrics");
    }

    @Test
    void grafanaProvisioningLoadsEveryDashboardFromThePrometheusDatasource() throws IOException {
        Path grafana = ROOT.resolve("deploy/grafana");
        String datasource = Files.readString(grafana.resolve("provisioning/datasources/prometheus.yml"));
        assertTrue(datasource.contains("uid: prometheus") && datasource.contains("type: prometheus"), datasource);
        String provider = Files.readString(grafana.resolve("provisioning/dashboards/vlit-forge.yml"));
        Matcher path = Pattern.compile("path: (\\S+)").matcher(provider);
        assertTrue(path.find(), "the dashboard provider names a path");
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        assertTrue(compose.contains("./deploy/grafana/dashboards:" + path.group(1) + ":ro"),
                "compose mounts the dashboards at " + path.group(1));
        assertTrue(compose.contains("./deploy/grafana/provisioning:/etc/grafana/provisioning:ro"),
                "compose mounts the provisioning");
        assertTrue(compose.contains("./deploy/prometheus:/etc/prometheus:ro"), "compose mounts the Prometheus config");

        ObjectMapper json = new ObjectMapper();
        Set<String> uids = new HashSet<>();
        int panels = 0;
        for (Path file : DashboardQueriesIT.dashboards()) {
            JsonNode dashboard = json.readTree(file.toFile());
            assertTrue(uids.add(dashboard.path("uid").asText()), file + ": a unique uid");
            for (JsonNode panel : DashboardQueriesIT.panels(dashboard)) {
                panels++;
                String where = file.getFileName() + " / " + panel.path("title").asText();
                for (JsonNode target : panel.path("targets")) {
                    String uid = target.path("datasource").path("uid").asText(panel.path("datasource").path("uid").asText());
                    assertEquals("prometheus", uid, where + ": the provisioned datasource");
                    assertFalse(target.path("expr").asText().isBlank(), where);
                }
            }
        }
        assertTrue(uids.containsAll(Set.of("vlit-overview", "vlit-ingestion", "vlit-generation", "vlit-filtering",
                "vlit-publication")), uids.toString());
        assertTrue(panels >= 5 * 5, "panels: " + panels);
    }

    /** The inbound channels of every service, from its application.properties. */
    private static List<Consumer> consumers() throws IOException {
        List<Consumer> consumers = new ArrayList<>();
        for (String service : ServiceProcesses.SERVICES) {
            Map<String, Map<String, String>> channels = new LinkedHashMap<>();
            Map<String, String[]> switches = new LinkedHashMap<>();
            for (String line : properties(service)) {
                Matcher m = INCOMING.matcher(line.strip());
                if (m.matches()) {
                    // A value the environment may override (${VLIT_AA_GROUP:generation-adaption}) counts as its default.
                    channels.computeIfAbsent(m.group(1), k -> new LinkedHashMap<>()).put(m.group(2),
                            m.group(3).replaceAll("^\\$\\{[A-Z0-9_]+:([^}]*)}$", "$1"));
                }
                Matcher e = ENABLED.matcher(line.strip());
                if (e.matches()) {
                    switches.put(e.group(1), new String[] {e.group(2), e.group(3)});
                }
            }
            channels.forEach((channel, settings) -> {
                assertNotNull(settings.get("group.id"), service + " channel " + channel + " names its group");
                assertNotNull(settings.get("topic"), service + " channel " + channel + " names its topic");
                String[] onOff = switches.get(channel);
                consumers.add(new Consumer(service, channel, settings.get("group.id"), settings.get("topic"),
                        settings.get("dead-letter-queue.topic"), onOff == null ? null : onOff[0],
                        onOff == null || Boolean.parseBoolean(onOff[1])));
            });
        }
        return consumers;
    }

    private static Set<String> outgoingTopics() throws IOException {
        Set<String> topics = new LinkedHashSet<>();
        for (String service : ServiceProcesses.SERVICES) {
            for (String line : properties(service)) {
                Matcher m = OUTGOING_TOPIC.matcher(line.strip());
                if (m.matches()) {
                    topics.add(m.group(2));
                }
            }
        }
        return topics;
    }

    private static List<String> properties(String service) throws IOException {
        return Files.readAllLines(ROOT.resolve("services/" + service + "/src/main/resources/application.properties"));
    }

    private static String bootstrap() {
        return map(only("ConfigMap", n -> n.startsWith("vlit-config")), "data").get("VLIT_KAFKA_BOOTSTRAP").toString();
    }

    private static Map<String, Object> topic(String topic) {
        List<Map<String, Object>> found = all("KafkaTopic").stream()
                .filter(t -> topic.equals(Optional.ofNullable(string(t, "spec.topicName")).orElse(name(t)))).toList();
        assertEquals(1, found.size(), "one KafkaTopic for " + topic);
        return found.get(0);
    }

    private static List<Map<String, Object>> all(String kind) {
        return resources.stream().filter(r -> kind.equals(r.get("kind"))).toList();
    }

    private static Optional<Map<String, Object>> named(String kind, String name) {
        return all(kind).stream().filter(r -> name.equals(name(r))).findFirst();
    }

    private static Map<String, Object> only(String kind, java.util.function.Predicate<String> name) {
        List<Map<String, Object>> found = all(kind).stream().filter(r -> name.test(name(r))).toList();
        assertEquals(1, found.size(), "exactly one " + kind + " in the overlay");
        return found.get(0);
    }

    private static String name(Map<String, Object> resource) {
        return string(resource, "metadata.name");
    }

    /** Runs a tool to completion; a missing tool fails the test with how to install it. */
    static String run(Path directory, List<String> command, String installHint) {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail(installHint + " (" + e.getMessage() + ")");
        }
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 2 minutes");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + text);
            return text;
        } catch (IOException e) {
            return fail(String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }
}
