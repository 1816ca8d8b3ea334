package io.vlitforge.ingestion.formats;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a source with a format's streaming reader and prints what it handed over, counted, with the heap
 * it had and the most it used: run by {@link LargeSourceMemoryTest} in a JVM of its own with a small
 * {@code -Xmx}, so that a reader holding a file in memory fails with {@link OutOfMemoryError}.
 * Arguments: {@code FORMAT PATH...} ({@code whole-file PATH}: parse one file whole, as the readers once did,
 * the control that must fail in the same heap). Prints one JSON line.
 */
public final class StreamedReadMain {

    private StreamedReadMain() {
    }

    public static void main(String[] args) throws Exception {
        List<Path> paths = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            paths.add(Path.of(args[i]));
        }
        long[] counts = new long[8];
        if (args[0].equals("whole-file")) {
            // The control: what the readers did before, a whole file parsed into memory.
            ReadResult result = new ReadResult();
            System.out.println("{\"parsed\": " + (Json.parseFile(paths.get(0), result) != null) + "}");
            return;
        }
        Formats.byName(args[0]).orElseThrow().stream(paths, new ItemSink() {
            @Override
            public void item(SourceItem item) {
                counts[0]++;
                counts[1] += item.boxes.size();
                counts[2] += item.relations.size();
                counts[3] += item.regions.size();
                counts[4] += item.questions.size();
                counts[5] += item.captions.size();
                counts[7] += item.boxes.stream().mapToLong(b -> b.attributes().size()).sum();
            }

            @Override
            public void problem(String item, String reason, String detail) {
                counts[6]++;
                if (counts[6] <= 5) {
                    System.err.println("problem " + item + " " + reason + " " + detail);
                }
            }
        });
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("{\"items\": %d, \"boxes\": %d, \"relations\": %d, \"regions\": %d, \"questions\": %d, "
                + "\"captions\": %d, \"problems\": %d, \"attributes\": %d, \"maxHeap\": %d, \"peakHeap\": %d}%n",
                counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7],
                Runtime.getRuntime().maxMemory(), peak);
    }
}
