package io.vlitforge.publication.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where each release being written is, so that a caller waiting on {@code POST /releases} (the CLI's progress
 * bar) can follow it: the stage (reading the accepted samples, writing files, copying images, validating,
 * publishing), files and bytes written, images copied of how many, and how long it has run. The last state
 * of each release name is kept after it ends ({@code done} or {@code failed}), in this replica only.
 */
@ApplicationScoped
public class ReleaseProgress {

    /** One release's progress as served. */
    public record View(String name, String version, String stage, long samples, long filesWritten, long bytesWritten,
            long imagesCopied, long imagesToCopy, double seconds, boolean finished) {
    }

    /** The progress of one running release, updated by the release service. */
    public static final class Tracker {
        private final String name;
        private final Instant started = Instant.now();
        private volatile String version;
        private volatile String stage = "starting";
        private volatile long samples;
        private final AtomicLong files = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final AtomicLong copied = new AtomicLong();
        private volatile long toCopy;
        private volatile Instant finishedAt;

        Tracker(String name) {
            this.name = name;
        }

        void stage(String stage) {
            this.stage = stage;
        }

        void version(String version) {
            this.version = version;
        }

        void samples(long samples) {
            this.samples = samples;
        }

        void wrote(long size) {
            files.incrementAndGet();
            bytes.addAndGet(size);
        }

        void toCopy(long images) {
            this.toCopy = images;
        }

        void copied() {
            copied.incrementAndGet();
        }

        void finish(String stage) {
            this.stage = stage;
            this.finishedAt = Instant.now();
        }

        View view() {
            Instant end = finishedAt != null ? finishedAt : Instant.now();
            return new View(name, version, stage, samples, files.get(), bytes.get(), copied.get(), toCopy,
                    Duration.between(started, end).toMillis() / 1000.0, finishedAt != null);
        }
    }

    private final Map<String, Tracker> releases = new ConcurrentHashMap<>();

    Tracker start(String name) {
        Tracker t = new Tracker(name);
        releases.put(name, t);
        return t;
    }

    public Optional<View> of(String name) {
        return Optional.ofNullable(releases.get(name)).map(Tracker::view);
    }
}
