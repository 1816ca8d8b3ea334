package io.vlitforge.ingestion.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One image uploaded over REST with its annotations, in-process against the real Kafka broker, PostgreSQL
 * and S3 server: it is checked, stored and recorded like any import; nothing is stubbed.
 */
@QuarkusTest
class UploadTest {

    @Test
    void anUploadedImageWithCaptionsAndBoxesBecomesPartOfItsImageRecord() throws Exception {
        Path picture = Fixtures.cocoMini().resolve("images/000000000790.jpg");
        String imageId = Ids.imageId(Files.readAllBytes(picture));
        String dataset = "upload-" + UUID.randomUUID().toString().substring(0, 8);
        String caption = "an uploaded caption " + dataset;
        JsonPath report = given().multiPart("image", picture.toFile(), "image/jpeg")
                .multiPart("annotations", "{\"captions\": [\"" + caption + "\"], \"boxes\": [{\"category\": \"bed\", "
                        + "\"x\": 10, \"y\": 20, \"width\": 300, \"height\": 200}], \"licence\": {\"name\": \"CC BY 2.0\", "
                        + "\"url\": \"http://creativecommons.org/licenses/by/2.0/\"}}", "application/json")
                .multiPart("dataset", dataset)
                .when().post("/imports/upload").then().statusCode(200).extract().jsonPath();
        assertEquals("COMPLETED", report.getString("status"));
        assertEquals(1, report.getInt("imagesSeen"));
        assertEquals(0, report.getInt("imagesRejected"));
        assertEquals(1, report.getInt("captions"));
        assertEquals(1, report.getInt("boxes"));

        JsonPath record = given().when().get("/images/" + imageId).then().statusCode(200).extract().jsonPath();
        List<String> captions = record.getList("captions");
        assertTrue(captions.contains(caption), "the uploaded caption joins the image's record: " + captions);
        assertTrue(record.getList("sources.dataset").contains(dataset), record.prettify());
    }

    @Test
    void aFileThatIsNotAnImageIsRefusedWithAReasonAndBadRequestsAreAnswered400(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "not a picture at all", StandardCharsets.UTF_8);
        JsonPath report = given().multiPart("image", text.toFile(), "image/jpeg").multiPart("dataset", "upload-bad")
                .when().post("/imports/upload").then().statusCode(200).extract().jsonPath();
        assertEquals(1, report.getInt("imagesRejected"));
        assertTrue(report.getString("rejections[0].reason").startsWith("image."), report.prettify());

        given().multiPart("dataset", "upload-bad").when().post("/imports/upload").then().statusCode(400);
        given().multiPart("image", text.toFile(), "image/jpeg").multiPart("dataset", "../etc")
                .when().post("/imports/upload").then().statusCode(400);
        given().multiPart("image", text.toFile(), "image/jpeg").multiPart("annotations", "{not json")
                .when().post("/imports/upload").then().statusCode(400);
    }
}
