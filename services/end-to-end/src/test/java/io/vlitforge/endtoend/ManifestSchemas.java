package io.vlitforge.endtoend;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.internal.KubernetesDeserializer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.schema.validator.ValidationMessage.Level;
import io.fabric8.kubernetes.schema.validator.ValidationReport;
import io.fabric8.kubernetes.schema.validator.Validator;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Schema validation of Kubernetes manifests without a cluster, what {@code kubeconform} does, from
 * schemas that Maven resolves or that the repository holds, so it runs offline in the test suite:
 * <ul>
 * <li>built-in kinds: the Kubernetes OpenAPI schema that fabric8 ships in {@code kubernetes-model-validator}
 * (unknown fields, wrong types, missing required fields), and strict deserialisation into fabric8's typed
 * model, which also proves the apiVersion and kind are ones Kubernetes serves. Only GA versions are
 * accepted, so a manifest never leans on a beta API that a newer cluster no longer serves;</li>
 * <li>Strimzi ({@code kafka.strimzi.io}): strict deserialisation into Strimzi's own API model
 * ({@code io.strimzi:api}), the classes Strimzi generates its CRDs from, at one of the versions the model
 * serves;</li>
 * <li>KEDA ({@code keda.sh}) and any other group with a file under {@code deploy/kubernetes/schemas}: that
 * JSON Schema (see the file's {@code $comment} for its source), and the metadata as a typed ObjectMeta.</li>
 * </ul>
 * A document of any other apiVersion and kind is a problem: nothing goes unchecked. "Strict" means what
 * {@code kubectl apply --validate=strict} means: an unknown field is an error (fabric8's and Strimzi's
 * models would otherwise keep it in their {@code additionalProperties}), and a string is no number or
 * boolean, nor a number a string.
 */
final class ManifestSchemas {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper STRICT = strictMapper();
    private static final Map<String, Class<? extends KubernetesResource>> STRIMZI = Map.of(
            "KafkaTopic", KafkaTopic.class, "Kafka", Kafka.class, "KafkaNodePool", KafkaNodePool.class);
    private static final Map<String, List<String>> STRIMZI_VERSIONS = Map.of(
            "KafkaTopic", KafkaTopic.VERSIONS, "Kafka", Kafka.VERSIONS, "KafkaNodePool", KafkaNodePool.VERSIONS);

    private final Validator openApi = Validator.newInstance();
    /** fabric8's registry of typed models by apiVersion and kind (the Kubernetes kinds of the model jars). */
    private final KubernetesDeserializer models = new KubernetesDeserializer();
    /** "apiVersion kind" to the JSON Schema of a custom resource, from deploy/kubernetes/schemas. */
    private final Map<String, JsonSchema> customSchemas = new TreeMap<>();

    /** Loads the OpenAPI schema and every JSON Schema under {@code schemas} ({@code <group>/<kind>_<version>.json}). */
    ManifestSchemas(Path schemas) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        try (Stream<Path> files = Files.walk(schemas)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                String group = file.getParent().getFileName().toString();
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                JsonNode schema = JSON.readTree(file.toFile());
                String kind = schema.at("/properties/kind/const").asText();
                if (!name.equals(kind.toLowerCase() + "_" + name.substring(name.indexOf('_') + 1))) {
                    throw new IllegalStateException(file + ": the name must be <kind>_<version>.json for kind " + kind);
                }
                customSchemas.put(group + "/" + name.substring(name.indexOf('_') + 1) + " " + kind,
                        factory.getSchema(schema));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of a multi-document YAML stream (what {@code kubectl kustomize} prints), types kept. */
    static List<JsonNode> documents(String yaml) {
        try {
            List<JsonNode> documents = new ArrayList<>();
            YAML.readerFor(JsonNode.class).readValues(yaml).forEachRemaining(d -> {
                if (d != null && !((JsonNode) d).isNull() && !((JsonNode) d).isMissingNode()) {
                    documents.add((JsonNode) d);
                }
            });
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "apiVersion kind" pairs that have a schema for custom resources (from the repository). */
    Set<String> customKinds() {
        return customSchemas.keySet();
    }

    /** What is wrong with one document, each problem as {@code Kind name: where: what}; empty when valid. */
    List<String> problems(JsonNode document) {
        String apiVersion = document.path("apiVersion").asText("");
        String kind = document.path("kind").asText("");
        String name = kind + " " + document.path("metadata").path("name").asText("(no name)");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            return List.of(name + ": no apiVersion or kind");
        }
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        List<String> problems = new ArrayList<>();
        if (group.equals(KafkaTopic.RESOURCE_GROUP)) {
            Class<? extends KubernetesResource> type = STRIMZI.get(kind);
            if (type == null) {
                return List.of(name + ": kind " + kind + " of " + group + " is not one the manifests use ("
                        + STRIMZI.keySet() + ")");
            }
            if (!STRIMZI_VERSIONS.get(kind).contains(version)) {
                problems.add(name + ": apiVersion " + apiVersion + " is not served by Strimzi's " + kind
                        + " (versions " + STRIMZI_VERSIONS.get(kind) + ")");
            }
            strict(document, type, name, problems);
        } else if (customSchemas.containsKey(apiVersion + " " + kind)) {
            for (ValidationMessage message : customSchemas.get(apiVersion + " " + kind).validate(document)) {
                problems.add(name + ": " + message.getMessage());
            }
            strict(document.path("metadata"), ObjectMeta.class, name + " metadata", problems);
        } else if (models.getRegisteredKind(apiVersion, kind) != null
                && !GenericKubernetesResource.class.equals(models.getRegisteredKind(apiVersion, kind))) {
            if (!version.matches("v\\d+")) {
                problems.add(name + ": " + apiVersion + " is not a GA API version; use the stable one");
            }
            ValidationReport report = openApi.validate(document);
            for (io.fabric8.kubernetes.schema.validator.ValidationMessage message : report.getMessages()) {
                if (message.getLevel() == Level.ERROR) {
                    problems.add(name + ": " + message.getMessage());
                }
            }
            strict(document, models.getRegisteredKind(apiVersion, kind), name, problems);
        } else {
            String known = group.isEmpty() || !customGroups().contains(group) ? ""
                    : " (this group has schemas for " + customSchemas.keySet() + ")";
            problems.add(name + ": no schema for apiVersion " + apiVersion + " kind " + kind + known);
        }
        return problems;
    }

    private Set<String> customGroups() {
        Set<String> groups = new HashSet<>();
        customSchemas.keySet().forEach(k -> groups.add(k.substring(0, k.indexOf('/'))));
        return groups;
    }

    private static Object strict(JsonNode node, Class<?> type, String name, List<String> problems) {
        try {
            return STRICT.treeToValue(node, type);
        } catch (JsonMappingException e) {
            problems.add(name + ": " + path(e) + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            problems.add(name + ": " + e.getMessage());
        }
        return null;
    }

    /** The field path of a mapping error, as {@code spec.template.spec.containers[0].port}. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(document)" : path.toString();
    }

    /**
     * Jackson as strict as the API server: no unknown property (the models' any-setters, which would keep
     * one, are taken out), no string read as a number or boolean, no scalar read as a string.
     */
    private static ObjectMapper strictMapper() {
        SimpleModule noAnySetters = new SimpleModule("strict-kubernetes");
        noAnySetters.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                    BeanDeserializerBuilder builder) {
                builder.setAnySetter(null);
                builder.setIgnoreUnknownProperties(false);
                return builder;
            }
        });
        ObjectMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .addModule(noAnySetters)
                .build();
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }
}
