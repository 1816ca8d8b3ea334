package io.vlitforge.endtoend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Schema validation of the Kubernetes manifests, offline: {@code kubectl kustomize} renders the base and the
 * local overlay, and every document is checked against a real schema ({@link ManifestSchemas}: the
 * Kubernetes OpenAPI schema and typed models from fabric8, Strimzi's API model, KEDA's schema in
 * deploy/kubernetes/schemas). Nothing is stubbed; no cluster is needed. The negative cases mutate a copy
 * of deploy/kubernetes (a misspelled field, a wrong type, an unknown kind or version) and prove that each
 * fails with the field named.
 */
class ManifestSchemaTest {

    private static final Path KUBERNETES = Fixtures.repositoryRoot().resolve("deploy/kubernetes");

    private static ManifestSchemas schemas;

    @BeforeAll
    static void loadSchemas() {
        schemas = new ManifestSchemas(KUBERNETES.resolve("schemas"));
        assertTrue(schemas.customKinds().contains("keda.sh/v1alpha1 ScaledObject"), schemas.customKinds().toString());
    }

    @Test
    void everyDocumentOfTheBaseAndTheLocalOverlayMatchesItsSchema() {
        for (String folder : List.of("base", "overlays/local")) {
            List<JsonNode> documents = render(KUBERNETES.resolve(folder));
            Map<String, Integer> kinds = new TreeMap<>();
            List<String> problems = new ArrayList<>();
            for (JsonNode document : documents) {
                kinds.merge(document.path("apiVersion").asText() + " " + document.path("kind").asText(), 1,
                        Integer::sum);
                problems.addAll(schemas.problems(document));
            }
            assertEquals(List.of(), problems, folder + " has documents that do not match their schema");
            // Every kind the manifests use was validated, the custom resources included.
            for (String kind : List.of("apps/v1 Deployment", "v1 Service", "v1 ConfigMap",
                    "kafka.strimzi.io/v1beta2 KafkaTopic", "keda.sh/v1alpha1 ScaledObject")) {
                assertTrue(kinds.containsKey(kind), folder + " renders " + kind + ": " + kinds);
            }
            if (folder.equals("overlays/local")) {
                for (String kind : List.of("v1 Secret", "v1 Namespace", "kafka.strimzi.io/v1beta2 Kafka",
                        "kafka.strimzi.io/v1beta2 KafkaNodePool")) {
                    assertTrue(kinds.containsKey(kind), folder + " renders " + kind + ": " + kinds);
                }
            }
        }
    }

    /** One change to one file of a copy of deploy/kubernetes, and what the validation must then say. */
    static Stream<Arguments> mutations() {
        return Stream.of(
                Arguments.of("a misspelled container field", "base", "base/ingestion.yaml",
                        "          readinessProbe:", "          readinessProb:", "readinessProb"),
                Arguments.of("a port as a string", "base", "base/filtering.yaml",
                        "containerPort: 8080", "containerPort: \"8080\"", "containerPort"),
                Arguments.of("replicas that are not a number", "base", "base/publication.yaml",
                        "  replicas: 1", "  replicas: one", "replicas"),
                Arguments.of("a misspelled KafkaTopic field", "base", "base/topics.yaml",
                        "  partitions: 12", "  partitons: 12", "partitons"),
                Arguments.of("a KafkaTopic partition count as a string", "base", "base/topics.yaml",
                        "  partitions: 12", "  partitions: \"12\"", "partitions"),
                Arguments.of("a misspelled ScaledObject field", "base", "base/scaledobjects.yaml",
                        "  maxReplicaCount: 12", "  maxReplicaCont: 12", "maxReplicaCont"),
                Arguments.of("KEDA trigger metadata as a number (KEDA takes strings only)", "base",
                        "base/scaledobjects.yaml", "lagThreshold: \"100\"", "lagThreshold: 100", "lagThreshold"),
                Arguments.of("a ScaledObject replica count as a string", "base", "base/scaledobjects.yaml",
                        "  minReplicaCount: 1", "  minReplicaCount: \"1\"", "minReplicaCount"),
                Arguments.of("a misspelled field of the Strimzi Kafka cluster", "overlays/local",
                        "overlays/local/kafka.yaml", "  entityOperator:", "  entityOperater:", "entityOperater"),
                Arguments.of("a misspelled metadata field", "base", "base/ingestion.yaml",
                        "  name: ingestion\n  labels:", "  name: ingestion\n  lables:", "lables"),
                Arguments.of("a kind that does not exist", "base", "base/publication.yaml",
                        "kind: Service", "kind: Servce", "no schema for apiVersion v1 kind Servce"),
                Arguments.of("a ScaledObject version KEDA does not serve", "base", "base/scaledobjects.yaml",
                        "apiVersion: keda.sh/v1alpha1", "apiVersion: keda.sh/v1beta1", "keda.sh/v1beta1"),
                Arguments.of("a KafkaTopic version Strimzi does not serve", "base", "base/topics.yaml",
                        "apiVersion: kafka.strimzi.io/v1beta2", "apiVersion: kafka.strimzi.io/v1alpha9",
                        "kafka.strimzi.io/v1alpha9"),
                Arguments.of("an API version Kubernetes no longer serves", "base", "base/ingestion.yaml",
                        "apiVersion: apps/v1", "apiVersion: apps/v1beta2", "apps/v1beta2 kind Deployment"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutations")
    void aMutatedCopyFailsValidationNamingTheField(String description, String folder, String file, String original,
            String mutated, String expected, @TempDir Path copy) throws IOException {
        copyTree(KUBERNETES, copy);
        Path target = copy.resolve(file);
        String text = Files.readString(target);
        assertTrue(text.contains(original), file + " no longer contains '" + original + "': update the mutation");
        String changed = text.replaceFirst(java.util.regex.Pattern.quote(original),
                java.util.regex.Matcher.quoteReplacement(mutated));
        assertNotEquals(text, changed);
        Files.writeString(target, changed);

        List<String> problems = new ArrayList<>();
        for (JsonNode document : render(copy.resolve(folder))) {
            problems.addAll(schemas.problems(document));
        }
        assertFalse(problems.isEmpty(), description + ": the mutated manifests passed validation");
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                description + ": no problem names '" + expected + "': " + problems);
    }

    @Test
    void aDocumentWithoutApiVersionOrOfAnUnknownGroupIsAProblem() {
        List<JsonNode> documents = ManifestSchemas.documents("""
                kind: ConfigMap
                metadata:
                  name: a
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata:
                  name: b
                """);
        assertEquals(2, documents.size());
        assertEquals(List.of("ConfigMap a: no apiVersion or kind"), schemas.problems(documents.get(0)));
        assertEquals(List.of("Widget b: no schema for apiVersion example.com/v1 kind Widget"),
                schemas.problems(documents.get(1)));
    }

    private static List<JsonNode> render(Path folder) {
        String yaml = DeploymentManifestsTest.run(folder, List.of("kubectl", "kustomize", folder.toString()),
                "kubectl is not installed: install it (https://kubernetes.io/docs/tasks/tools/); it brings kustomize");
        List<JsonNode> documents = ManifestSchemas.documents(yaml);
        assertFalse(documents.isEmpty(), "kubectl kustomize rendered nothing from " + folder);
        return documents;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
