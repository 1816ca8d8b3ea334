package io.vlitforge.filtering.repository;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vlitforge.filtering.config.FilteringConfig;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.NearImageFilter;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundTruth;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Turn;
import io.vlitforge.shared.events.Usage;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.ids.Ids;
import io.vlitforge.shared.images.PerceptualHash;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.objectstore.ObjectKeys;
import io.vlitforge.shared.security.AuthConfig;
import io.vlitforge.shared.testing.Fixtures;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The filtering service's whole decision per sample, in one thread (so samples/s is samples/s per core), against
 * the cost of only reading the same samples from JSON, which any consumer of {@code samples.generated} pays.
 * Run by {@code bin/vlit bench chain} (bench/README.md).
 * <p>
 * The samples are made from the COCO fixture as {@code bench/.../FilteringBenchmark} makes them (every caption as
 * a brief caption, the captions plus the box list as a detailed description, one counting answer per category,
 * each image under a fresh id with its ground truth, and every other image one near-duplicate caption), plus
 * each image's real perceptual hash (of its fixture JPEG, with about 12 bits flipped per copy so copies are
 * distinct pictures, and one image in 25 a 2-bit copy of the image before it, a near-duplicate picture).
 * <p>
 * {@link #chain} is what the service does for a poll apart from the database and the broker: the configured
 * content filters ({@link FilterChain#check}), then the poll planned and decided in memory by the production
 * code ({@link VerdictRepository.Plan}, {@link VerdictRepository#decideNew}, {@link PollIndexes}) against the
 * index the earlier polls of the same invocation left (held here in maps, as the tables would hold it), in
 * polls of 500 (the consumer's poll size). The quotas are not configured by default, so every sample gets the
 * quota filter's "not counted" verdict as the service gives it.
 * <p>
 * On a machine shared with other work the wall-clock rate says as much about the neighbours as about the code,
 * so every method also reports the CPU time its own thread used ({@link Cpu}): samples/s divided by
 * {@code cpuMicros}/s (times a million) is samples per CPU second of the benchmark thread (JIT compiler and GC
 * threads not included), the figure to compare between runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChainBenchmark {

    /** Samples per benchmark invocation; every method reports samples per second. */
    static final int SAMPLES = 2000;
    static final int POLL = 500;

    FilterChain chain;
    List<String> json;
    List<Sample> samples;

    @Setup
    public void setUp() throws IOException {
        chain = FilterChain.from(config());
        samples = samples(Fixtures.cocoMini(), SAMPLES);
        json = new ArrayList<>(samples.size());
        long bytes = 0;
        for (Sample sample : samples) {
            String text = EventJson.write(sample);
            json.add(text);
            bytes += text.length();
        }
        // What the chain decided, so a change to the code that changes a verdict shows here too.
        List<List<Verdict>> verdicts = decide(chain, samples);
        Map<String, Integer> reasons = new TreeMap<>();
        for (List<Verdict> v : verdicts) {
            String reason = v.stream().filter(x -> x.outcome() == Verdict.Outcome.REJECTED).map(Verdict::reason)
                    .findFirst().orElse("accepted");
            reasons.merge(reason, 1, Integer::sum);
        }
        System.err.printf("%nchain %s, %d samples of %d bytes on average; outcomes %s; verdicts sha256 %s%n",
                chain.version(), samples.size(), bytes / samples.size(), reasons,
                Ids.sha256Hex(EventJson.write(verdicts)));
    }

    /**
     * The CPU time of the benchmark thread, reported by JMH beside each method's rate as {@code cpuMicros} per
     * second of the iteration (a rate of one million is one core fully busy).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Cpu {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long cpuMicros;
        private long started;

        @Setup(Level.Iteration)
        public void clear() {
            cpuMicros = 0;
        }

        void start() {
            started = THREADS.getCurrentThreadCpuTime();
        }

        void stop() {
            cpuMicros += (THREADS.getCurrentThreadCpuTime() - started) / 1000;
        }
    }

    /** Baseline: reading the samples from their JSON, as the consumer does before anything else. */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void decodeJson(Blackhole bh, Cpu cpu) {
        cpu.start();
        for (String text : json) {
            bh.consume(EventJson.read(text, Sample.class));
        }
        cpu.stop();
    }

    /** The content filters alone (format, length, hygiene, hallucination, complexity). */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void contentFilters(Blackhole bh, Cpu cpu) {
        cpu.start();
        for (Sample sample : samples) {
            bh.consume(chain.check(sample));
        }
        cpu.stop();
    }

    /** The whole chain: content filters, then exact, near-duplicate, near-image, novelty and quota decisions. */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void chain(Blackhole bh, Cpu cpu) {
        cpu.start();
        bh.consume(decide(chain, samples));
        cpu.stop();
    }

    /** Every sample's verdicts, polls of {@link #POLL} decided one after the other against an index kept in memory. */
    static List<List<Verdict>> decide(FilterChain chain, List<Sample> samples) {
        Store store = new Store();
        List<List<Verdict>> out = new ArrayList<>(samples.size());
        for (int from = 0; from < samples.size(); from += POLL) {
            List<VerdictRepository.Pending> poll = new ArrayList<>(POLL);
            for (Sample sample : samples.subList(from, Math.min(samples.size(), from + POLL))) {
                poll.add(new VerdictRepository.Pending(sample, chain.check(sample)));
            }
            for (VerdictRepository.Undecided u : store.decide(chain, poll)) {
                out.add(u.verdicts());
            }
        }
        return out;
    }

    /**
     * The duplicate indexes as the tables hold them between polls ({@code content_fingerprints},
     * {@code near_duplicate_*}, {@code image_hash*}), answering the queries {@link VerdictRepository#decideAll}
     * makes before it decides, and taking the end state it writes back after.
     */
    static final class Store {
        final Map<String, String> fingerprints = new HashMap<>();
        final Map<PollIndexes.BandKey, String> bands = new HashMap<>();
        final Map<String, int[]> signatures = new HashMap<>();
        final Map<String, Long> imageHashes = new HashMap<>();
        final Map<PollIndexes.ImageKey, Set<String>> imageBands = new HashMap<>();

        List<VerdictRepository.Undecided> decide(FilterChain chain, List<VerdictRepository.Pending> poll) {
            VerdictRepository.Plan plan = new VerdictRepository.Plan(poll, Map.of(), chain);
            // The claims: a row is inserted where none is stored yet; the owners of the rest are read.
            plan.insertedHashes = new HashSet<>();
            plan.hashClaims.keySet().forEach(h -> {
                if (!fingerprints.containsKey(h)) {
                    plan.insertedHashes.add(h);
                }
            });
            plan.hashOwners = new HashMap<>();
            for (String h : plan.hashes) {
                if (!plan.insertedHashes.contains(h) && fingerprints.containsKey(h)) {
                    plan.hashOwners.put(h, fingerprints.get(h));
                }
            }
            plan.insertedBands = new HashSet<>();
            plan.bandClaims.keySet().forEach(k -> {
                if (!bands.containsKey(k)) {
                    plan.insertedBands.add(k);
                }
            });
            plan.bandOwners = new HashMap<>();
            for (PollIndexes.BandKey k : plan.bandKeys) {
                if (!plan.insertedBands.contains(k) && bands.containsKey(k)) {
                    String owner = bands.get(k);
                    plan.bandOwners.put(k, new NearDuplicateIndex.Owner(owner, signatures.get(owner)));
                }
            }
            plan.images = images(chain.nearImage(), plan.samples);
            PollIndexes indexes = plan.indexes(Map.of());

            // decideAll walks the batch and looks each sample's content verdicts up by position; the same here.
            Map<Sample, List<Verdict>> contentVerdicts = new IdentityHashMap<>(poll.size() * 2);
            poll.forEach(p -> contentVerdicts.put(p.sample(), p.contentVerdicts()));
            List<VerdictRepository.Undecided> undecided = new ArrayList<>(plan.samples.size());
            for (Sample sample : plan.samples) {
                undecided.add(VerdictRepository.decideNew(indexes, sample, plan.contentHashes.get(sample.id()),
                        plan.probes.get(sample.id()), contentVerdicts.get(sample), chain));
            }
            // No quota is configured: every sample gets "not counted", and nothing is turned away.
            for (VerdictRepository.Undecided u : undecided) {
                u.verdicts().add(chain.quota().notCounted());
            }
            VerdictRepository.releaseImages(indexes, undecided);

            // The end state, as the repository writes it back.
            plan.insertedHashes.forEach(h -> fingerprints.put(h, plan.hashClaims.get(h)));
            indexes.fingerprints().unowned().forEach(fingerprints::remove);
            fingerprints.putAll(indexes.fingerprints().reassigned());
            plan.insertedBands.forEach(k -> bands.put(k, plan.bandClaims.get(k)));
            indexes.bands().unowned().forEach(bands::remove);
            bands.putAll(indexes.bands().reassigned());
            indexes.newSignatures().forEach((id, probe) -> signatures.put(id, probe.signature()));
            for (PollIndexes.IndexedImage image : indexes.newImages().values()) {
                imageHashes.put(image.imageId(), image.hash());
                for (int band = 0; band < image.bandValues().length; band++) {
                    imageBands.computeIfAbsent(new PollIndexes.ImageKey(band, image.bandValues()[band]),
                            k -> new HashSet<>()).add(image.imageId());
                }
            }
            return undecided;
        }

        /** What {@code ImageHashIndex.load} reads: the indexed images sharing a band with the poll's pictures. */
        private ImageHashIndex.Snapshot images(NearImageFilter filter, List<Sample> samples) {
            Map<String, Long> hashes = new HashMap<>();
            Map<PollIndexes.ImageKey, Set<String>> byBand = new HashMap<>();
            for (Sample sample : samples) {
                Long hash = NearImageFilter.hashOf(sample);
                if (hash == null) {
                    continue;
                }
                if (imageHashes.containsKey(sample.imageId())) {
                    hashes.put(sample.imageId(), imageHashes.get(sample.imageId()));
                }
                long[] values = filter.bandValues(hash);
                for (int band = 0; band < values.length; band++) {
                    PollIndexes.ImageKey key = new PollIndexes.ImageKey(band, values[band]);
                    Set<String> ids = imageBands.get(key);
                    if (ids != null) {
                        byBand.computeIfAbsent(key, k -> new java.util.LinkedHashSet<>()).addAll(ids);
                        ids.forEach(id -> hashes.put(id, imageHashes.get(id)));
                    }
                }
            }
            return new ImageHashIndex.Snapshot(hashes, byBand);
        }
    }

    /** The service's filter settings, read from its application.properties as Quarkus reads them. */
    static FilteringConfig.Filters config() throws IOException {
        URL properties = ChainBenchmark.class.getClassLoader().getResource("application.properties");
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties))
                .withMapping(FilteringConfig.class)
                .withMapping(AuthConfig.class)
                .build();
        return config.getConfigMapping(FilteringConfig.class).filters();
    }

    /** {@code count} samples of the COCO fixture, as described on the class. */
    static List<Sample> samples(Path coco, int count) throws IOException {
        JsonNode captions = EventJson.mapper().readTree(coco.resolve("annotations/captions_train2017.json").toFile());
        JsonNode instances = EventJson.mapper().readTree(coco.resolve("annotations/instances_train2017.json").toFile());
        Map<Long, String> categories = new HashMap<>();
        instances.get("categories").forEach(c -> categories.put(c.get("id").asLong(), c.get("name").asText()));
        Map<Long, List<String>> captionsOf = new HashMap<>();
        captions.get("annotations").forEach(a -> captionsOf.computeIfAbsent(a.get("image_id").asLong(),
                k -> new ArrayList<>()).add(a.get("caption").asText()));
        Map<Long, List<BoundingBox>> boxesOf = new HashMap<>();
        instances.get("annotations").forEach(a -> {
            JsonNode b = a.get("bbox");
            boxesOf.computeIfAbsent(a.get("image_id").asLong(), k -> new ArrayList<>())
                    .add(new BoundingBox(categories.get(a.get("category_id").asLong()), b.get(0).asDouble(),
                            b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()));
        });
        record Image(List<String> captions, List<BoundingBox> boxes, Licence licence, long hash) {
        }
        Map<Long, Licence> licences = new HashMap<>();
        captions.get("licenses").forEach(l -> licences.put(l.get("id").asLong(),
                new Licence(l.get("name").asText(), l.get("url").asText())));
        List<Image> images = new ArrayList<>();
        for (JsonNode i : captions.get("images")) {
            long id = i.get("id").asLong();
            byte[] bytes = Files.readAllBytes(coco.resolve("images").resolve(i.get("file_name").asText()));
            images.add(new Image(captionsOf.getOrDefault(id, List.of()), boxesOf.getOrDefault(id, List.of()),
                    licences.get(i.get("license").asLong()), Long.parseUnsignedLong(PerceptualHash.dHash(bytes), 16)));
        }

        Lineage lineage = new Lineage(Strategy.AA, new Recipe("bench", "1", "h"), "t/0", 1, null, "coco-xywh", null,
                List.of());
        Random random = new Random(10);
        List<Sample> out = new ArrayList<>(count);
        long previousHash = 0;
        for (int n = 0; out.size() < count; n++) {
            Image image = images.get(n % images.size());
            long hash = n < images.size() ? image.hash() : image.hash() ^ flips(random, 12);
            if (n % 25 == 7) {
                hash = previousHash ^ flips(random, 2);
            }
            previousHash = hash;
            String imageId = Ids.sha256Hex("chain/" + n);
            GroundTruth truth = GroundTruth.of(image.captions(), image.boxes(), String.format("%016x", hash));
            // In name order: the ground truth's own map iterates in an order that changes from one JVM to the next.
            Map<String, Integer> counts = new TreeMap<>(truth.objectCounts());
            List<Sample> ofImage = new ArrayList<>();
            for (String caption : image.captions()) {
                ofImage.add(sample(imageId, image.licence(), "brief_caption", "Describe the image concisely.",
                        sentence(caption), truth, lineage, ofImage.size()));
            }
            if (image.captions().size() >= 2) {
                StringBuilder detail = new StringBuilder();
                image.captions().forEach(c -> detail.append(sentence(c)).append(' '));
                List<String> parts = new ArrayList<>();
                counts.forEach((category, k) -> parts.add(k + " " + category));
                if (!parts.isEmpty()) {
                    detail.append("The objects in the scene are ").append(String.join(", ", parts)).append('.');
                }
                ofImage.add(sample(imageId, image.licence(), "detailed_description",
                        "Describe the following image in detail.", detail.toString().strip(), truth, lineage,
                        ofImage.size()));
            }
            counts.forEach((category, k) -> ofImage.add(sample(imageId, image.licence(),
                    "object_counting", "How many " + category + " are there?",
                    (k == 1 ? "There is " : "There are ") + k + " " + category + ".", truth, lineage,
                    ofImage.size())));
            if (!ofImage.isEmpty() && n % 2 == 0) {
                // A near-duplicate: the first caption again with one more word.
                Sample first = ofImage.get(0);
                ofImage.add(sample(imageId, image.licence(), first.task(), "Describe the image concisely.",
                        first.conversations().get(1).value().replaceAll("\\.$", "") + " today.", truth, lineage,
                        ofImage.size()));
            }
            for (Sample s : ofImage) {
                if (out.size() < count) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** A 64-bit mask with {@code bits} distinct bits set. */
    private static long flips(Random random, int bits) {
        long mask = 0;
        while (Long.bitCount(mask) < bits) {
            mask |= 1L << random.nextInt(64);
        }
        return mask;
    }

    private static Sample sample(String imageId, Licence licence, String task, String instruction, String answer,
            GroundTruth truth, Lineage lineage, int k) {
        return new Sample(Sample.SCHEMA_VERSION, Ids.sha256Hex(imageId + "/" + k).substring(0, 32), imageId,
                ObjectKeys.image(imageId, "jpeg"), List.of(Turn.human("<image>\n" + instruction), Turn.gpt(answer)),
                task, task, licence, lineage, Usage.NONE, "2026-11-26T00:00:00Z", truth);
    }

    private static String sentence(String caption) {
        String s = caption.strip().replaceAll("\\s+", " ");
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return s.endsWith(".") ? s : s + ".";
    }

    /** Prints the verdict summary of {@link #setUp} without running JMH (a quick check of a code change). */
    public static void main(String[] args) throws IOException {
        new ChainBenchmark().setUp();
    }
}
