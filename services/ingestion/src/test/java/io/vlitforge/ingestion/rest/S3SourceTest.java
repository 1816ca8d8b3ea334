package io.vlitforge.ingestion.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vlitforge.shared.testing.Fixtures;
import io.vlitforge.shared.testing.TestObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A source registered by S3 location (one object, or everything under a prefix) on the real S3 server,
 * imported by the service in-process against the real Kafka broker and PostgreSQL; nothing is stubbed.
 */
@QuarkusTest
class S3SourceTest {

    @Test
    void aVqaSourceUnderAnS3PrefixImportsLikeTheSameFilesOnDisk() throws Exception {
        TestObjectStore store = TestObjectStore.ofService();
        MinioClient s3 = store.client();
        String bucket = store.bucket();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path vqa = Fixtures.root().resolve("vqav2");
        String prefix = "sources/" + tag + "/";
        try (Stream<Path> files = Files.walk(vqa)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                s3.uploadObject(UploadObjectArgs.builder().bucket(bucket)
                        .object(prefix + vqa.relativize(file).toString())
                        .filename(file.toString()).build());
            }
        }
        String root = "s3://" + bucket + "/" + prefix;
        JsonPath remote = given().contentType(ContentType.JSON).body(Map.of("format", "vqa",
                        "paths", List.of(root + "questions.json", root + "annotations.json"),
                        "imagesDir", root + "images/", "dataset", "vqa-s3-" + tag))
                .when().post("/imports").then().statusCode(200).extract().jsonPath();
        JsonPath local = given().contentType(ContentType.JSON).body(Map.of("format", "vqa",
                        "paths", List.of(vqa.resolve("questions.json").toString(), vqa.resolve("annotations.json").toString()),
                        "imagesDir", vqa.resolve("images").toString(), "dataset", "vqa-local-" + tag))
                .when().post("/imports").then().statusCode(200).extract().jsonPath();
        assertEquals("COMPLETED", remote.getString("status"));
        for (String count : List.of("imagesSeen", "imagesRejected", "annotations", "captions", "boxes")) {
            assertEquals(local.getInt(count), remote.getInt(count), count + " as from the local files");
        }
        assertTrue(remote.getInt("imagesSeen") >= 1);

        String missing = given().contentType(ContentType.JSON).body(Map.of("format", "vqa",
                        "paths", List.of("s3://" + bucket + "/no-such-prefix-" + tag + "/"), "dataset", "x-" + tag))
                .when().post("/imports").then().statusCode(400).extract().path("error");
        assertTrue(missing.contains("nothing under"), missing);
    }
}
