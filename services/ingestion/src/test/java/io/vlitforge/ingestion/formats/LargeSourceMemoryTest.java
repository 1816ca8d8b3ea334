package io.vlitforge.ingestion.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The large-file readers stream with bounded memory. Synthetic sources in the official shapes, several
 * times larger than the heap they are read with, are read by the real readers in a JVM of its own started
 * with {@code -Xmx64m} ({@link StreamedReadMain}): Visual Genome (~300 MB: objects, attributes,
 * relationships, regions and QAs; objects, attributes and relationships each larger than the whole heap), COCO (an instances file with
 * segmentation polygons whose annotations are not grouped by image, plus captions) and VQA v2 (questions
 * and ten-answer annotations, in a different order from each other). A reader that loaded a file whole
 * (its bytes alone are more than the heap) or kept every annotation would die of
 * {@link OutOfMemoryError}; each must instead finish and hand over exactly what was generated.
 */
class LargeSourceMemoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEAP = "-Xmx64m";
    private static final long HEAP_BYTES = 64L * 1024 * 1024;

    @Test
    void visualGenomeOfSeveralHundredMegabytes(@TempDir Path dir) throws Exception {
        int images = 12_000;
        int objects = 50;
        int relations = 20;
        int regions = 15;
        int qas = 10;
        writeVisualGenome(dir, images, objects, relations, regions, qas);
        long objectsFile = Files.size(dir.resolve("objects.json"));
        long total = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                total += Files.size(f);
            }
        }
        assertTrue(objectsFile > HEAP_BYTES, "objects.json alone is larger than the heap: " + objectsFile);
        assertTrue(total > 4 * HEAP_BYTES, "the source is several times the heap: " + total);
        System.out.println("visual genome source: " + total / (1024 * 1024) + " MB, objects.json "
                + objectsFile / (1024 * 1024) + " MB");

        assertTrue(failsInSmallHeap(dir.resolve("objects.json")), "the control: parsed whole, objects.json does not fit");
        JsonNode r = readInSmallHeap("vg", dir);
        assertEquals(images, r.get("items").asLong());
        assertEquals((long) images * objects, r.get("boxes").asLong(), "relationship ends are listed objects");
        assertEquals((long) images * objects, r.get("attributes").asLong(), "one attribute per object, joined");
        assertEquals((long) images * relations, r.get("relations").asLong());
        assertEquals((long) images * regions, r.get("regions").asLong());
        assertEquals((long) images * qas, r.get("questions").asLong());
        assertEquals(0, r.get("problems").asLong());
    }

    @Test
    void cocoInstancesNotGroupedByImage(@TempDir Path dir) throws Exception {
        int images = 15_000;
        int boxes = 10;
        int captions = 5;
        writeCoco(dir, images, boxes, captions);
        assertTrue(Files.size(dir.resolve("instances_train2017.json")) > HEAP_BYTES);

        JsonNode r = readInSmallHeap("coco", dir);
        assertEquals(images, r.get("items").asLong());
        assertEquals((long) images * boxes, r.get("boxes").asLong());
        assertEquals((long) images * captions, r.get("captions").asLong());
        assertEquals(0, r.get("problems").asLong());
    }

    @Test
    void vqaQuestionsJoinedWithTheirAnswers(@TempDir Path dir) throws Exception {
        int images = 30_000;
        int perImage = 4;
        writeVqa(dir, images, perImage);
        assertTrue(Files.size(dir.resolve("v2_mscoco_train2014_annotations.json")) > HEAP_BYTES);

        JsonNode r = readInSmallHeap("vqa", dir.resolve("v2_OpenEnded_mscoco_train2014_questions.json"),
                dir.resolve("v2_mscoco_train2014_annotations.json"));
        assertEquals(images, r.get("items").asLong());
        assertEquals((long) images * perImage, r.get("questions").asLong());
        assertEquals(0, r.get("problems").asLong());
    }

    /** Runs {@link StreamedReadMain} in a JVM with a 64 MB heap; its JSON line. */
    private static JsonNode readInSmallHeap(String format, Path... paths) throws Exception {
        Process process = start(format, paths);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        byte[] err = process.getErrorStream().readAllBytes();
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, process.exitValue(), "the read failed in a 64 MB heap: " + out + "\n"
                + new String(err, StandardCharsets.UTF_8));
        JsonNode r = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        System.out.println(format + " in " + HEAP + ": " + r);
        // peakHeap (the pools' peaks added up) is printed for the record; with a generational collector it
        // nears the limit whatever the reader does, so what proves the bound is finishing inside it.
        assertTrue(r.get("maxHeap").asLong() <= HEAP_BYTES, "the JVM ran with the small heap: " + r);
        return r;
    }

    /** Whether parsing the file whole (the old way) dies in the same heap. */
    private static boolean failsInSmallHeap(Path file) throws Exception {
        Process process = start("whole-file", file);
        process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(5, TimeUnit.MINUTES));
        return process.exitValue() != 0 && err.contains("OutOfMemoryError");
    }

    private static Process start(String format, Path... paths) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), HEAP, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StreamedReadMain.class.getName(), format));
        for (Path p : paths) {
            command.add(p.toString());
        }
        return new ProcessBuilder(command).redirectErrorStream(false).start();
    }

    // --- generators, in the official shapes ---------------------------------------------------------

    private static Writer writer(Path file) throws IOException {
        return new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    }

    private static String object(long id, int k) {
        int x = (k * 37) % 700;
        int y = (k * 53) % 500;
        return "{\"synsets\": [\"tree.n.01\"], \"h\": " + (20 + k % 80) + ", \"object_id\": " + id
                + ", \"merged_object_ids\": [], \"names\": [\"tree\"], \"w\": " + (30 + k % 60) + ", \"y\": " + y
                + ", \"x\": " + x + "}";
    }

    static void writeVisualGenome(Path dir, int images, int objects, int relations, int regions, int qas)
            throws IOException {
        try (Writer image = writer(dir.resolve("image_data.json"));
                Writer obj = writer(dir.resolve("objects.json"));
                Writer att = writer(dir.resolve("attributes.json"));
                Writer rel = writer(dir.resolve("relationships.json"));
                Writer reg = writer(dir.resolve("region_descriptions.json"));
                Writer qa = writer(dir.resolve("question_answers.json"))) {
            for (Writer w : List.of(image, obj, att, rel, reg, qa)) {
                w.write('[');
            }
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= images; i++) {
                String sep = i == 1 ? "" : ", ";
                image.write(sep + "{\"width\": 800, \"url\": \"https://cs.stanford.edu/people/rak248/VG_100K/" + i
                        + ".jpg\", \"height\": 600, \"image_id\": " + i + ", \"coco_id\": null, \"flickr_id\": null}");
                long base = (long) i * 1000;
                b.setLength(0);
                b.append(sep).append("{\"image_id\": ").append(i).append(", \"objects\": [");
                for (int k = 0; k < objects; k++) {
                    b.append(k == 0 ? "" : ", ").append(object(base + k, k));
                }
                b.append("], \"image_url\": \"https://cs.stanford.edu/people/rak248/VG_100K/").append(i)
                        .append(".jpg\"}");
                obj.write(b.toString());
                b.setLength(0);
                b.append(sep).append("{\"image_id\": ").append(i).append(", \"attributes\": [");
                for (int k = 0; k < objects; k++) {
                    String o = object(base + k, k);
                    b.append(k == 0 ? "" : ", ").append(o, 0, o.length() - 1)
                            .append(", \"attributes\": [\"green\"]}");
                }
                b.append("]}");
                att.write(b.toString());
                b.setLength(0);
                b.append(sep).append("{\"relationships\": [");
                for (int k = 0; k < relations; k++) {
                    b.append(k == 0 ? "" : ", ").append("{\"predicate\": \"ON\", \"object\": ")
                            .append(object(base + (k + 1) % objects, (k + 1) % objects))
                            .append(", \"relationship_id\": ").append(base * 10 + k)
                            .append(", \"synsets\": [\"along.r.01\"], \"subject\": ")
                            .append(object(base + k % objects, k % objects)).append('}');
                }
                b.append("], \"image_id\": ").append(i).append('}');
                rel.write(b.toString());
                b.setLength(0);
                b.append(sep).append("{\"regions\": [");
                for (int k = 0; k < regions; k++) {
                    b.append(k == 0 ? "" : ", ").append("{\"region_id\": ").append(base * 10 + k)
                            .append(", \"width\": ").append(40 + k).append(", \"height\": ").append(30 + k)
                            .append(", \"image_id\": ").append(i)
                            .append(", \"phrase\": \"the tree is green and tall\", \"y\": ").append(k * 10)
                            .append(", \"x\": ").append(k * 12).append('}');
                }
                b.append("], \"id\": ").append(i).append('}');
                reg.write(b.toString());
                b.setLength(0);
                b.append(sep).append("{\"id\": ").append(i).append(", \"qas\": [");
                for (int k = 0; k < qas; k++) {
                    b.append(k == 0 ? "" : ", ").append("{\"a_objects\": [], \"question\": \"What color is the tree?\", ")
                            .append("\"image_id\": ").append(i).append(", \"qa_id\": ").append(base * 10 + k)
                            .append(", \"answer\": \"Green.\", \"q_objects\": []}");
                }
                b.append("]}");
                qa.write(b.toString());
            }
            for (Writer w : List.of(image, obj, att, rel, reg, qa)) {
                w.write(']');
            }
        }
    }

    static void writeCoco(Path dir, int images, int boxes, int captions) throws IOException {
        StringBuilder polygon = new StringBuilder("[[");
        for (int p = 0; p < 60; p++) {
            polygon.append(p == 0 ? "" : ", ").append(100 + p).append(".25, ").append(120 + p).append(".75");
        }
        polygon.append("]]");
        String licences = "\"licenses\": [{\"url\": \"http://creativecommons.org/licenses/by/2.0/\", \"id\": 4, "
                + "\"name\": \"Attribution License\"}]";
        for (String kind : List.of("instances", "captions")) {
            try (Writer w = writer(dir.resolve(kind + "_train2017.json"))) {
                w.write("{\"info\": {\"description\": \"COCO 2017 Dataset\"}, " + licences + ", \"images\": [");
                for (int i = 1; i <= images; i++) {
                    w.write((i == 1 ? "" : ", ") + "{\"license\": 4, \"file_name\": \"" + String.format("%012d", i)
                            + ".jpg\", \"coco_url\": \"http://images.cocodataset.org/train2017/x.jpg\", "
                            + "\"height\": 480, \"width\": 640, \"date_captured\": \"2013-11-14 17:02:52\", "
                            + "\"id\": " + i + "}");
                }
                w.write("], \"annotations\": [");
                int per = kind.equals("instances") ? boxes : captions;
                long id = 0;
                // Annotations round-robin over the images, as COCO's are not grouped by image.
                for (int k = 0; k < per; k++) {
                    for (int i = 1; i <= images; i++) {
                        id++;
                        String sep = id == 1 ? "" : ", ";
                        if (kind.equals("instances")) {
                            w.write(sep + "{\"segmentation\": " + polygon + ", \"area\": 702.1, \"iscrowd\": 0, "
                                    + "\"image_id\": " + i + ", \"bbox\": [" + (10 + k) + ".5, 20.25, 100.0, 80.5], "
                                    + "\"category_id\": " + (1 + k % 3) + ", \"id\": " + id + "}");
                        } else {
                            w.write(sep + "{\"image_id\": " + i + ", \"id\": " + id
                                    + ", \"caption\": \"A man riding a wave on top of a surfboard.\"}");
                        }
                    }
                }
                w.write("]");
                if (kind.equals("instances")) {
                    w.write(", \"categories\": [{\"supercategory\": \"person\", \"id\": 1, \"name\": \"person\"}, "
                            + "{\"supercategory\": \"vehicle\", \"id\": 2, \"name\": \"bicycle\"}, "
                            + "{\"supercategory\": \"vehicle\", \"id\": 3, \"name\": \"car\"}]");
                }
                w.write("}");
            }
        }
    }

    static void writeVqa(Path dir, int images, int perImage) throws IOException {
        try (Writer q = writer(dir.resolve("v2_OpenEnded_mscoco_train2014_questions.json"));
                Writer a = writer(dir.resolve("v2_mscoco_train2014_annotations.json"))) {
            q.write("{\"info\": {}, \"task_type\": \"Open-Ended\", \"data_type\": \"mscoco\", \"license\": {}, "
                    + "\"data_subtype\": \"train2014\", \"questions\": [");
            a.write("{\"info\": {}, \"license\": {}, \"data_subtype\": \"train2014\", \"annotations\": [");
            long n = 0;
            for (int i = 1; i <= images; i++) {
                for (int k = 0; k < perImage; k++) {
                    long qid = (long) i * 1000 + k;
                    q.write((n == 0 ? "" : ", ") + "{\"image_id\": " + i + ", \"question\": \"What is this?\", "
                            + "\"question_id\": " + qid + "}");
                    n++;
                }
            }
            // Answers in the reverse order of the questions.
            n = 0;
            for (int i = images; i >= 1; i--) {
                for (int k = perImage - 1; k >= 0; k--) {
                    long qid = (long) i * 1000 + k;
                    StringBuilder b = new StringBuilder();
                    b.append(n == 0 ? "" : ", ").append("{\"question_type\": \"what is this\", ")
                            .append("\"multiple_choice_answer\": \"net\", \"answers\": [");
                    for (int j = 1; j <= 10; j++) {
                        b.append(j == 1 ? "" : ", ").append("{\"answer\": \"net\", \"answer_confidence\": \"yes\", ")
                                .append("\"answer_id\": ").append(j).append('}');
                    }
                    b.append("], \"image_id\": ").append(i).append(", \"answer_type\": \"other\", \"question_id\": ")
                            .append(qid).append('}');
                    a.write(b.toString());
                    n++;
                }
            }
            q.write("]}");
            a.write("]}");
        }
    }
}
