package io.vlitforge.filtering.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vlitforge.filtering.filters.FilterChain;
import io.vlitforge.filtering.filters.JudgeFilter;
import io.vlitforge.filtering.repository.VerdictRepository;
import io.vlitforge.shared.Topics;
import io.vlitforge.shared.events.FilteredSample;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.logging.LogFields;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import io.vlitforge.shared.messaging.DeadLetters;
import io.vlitforge.shared.messaging.Sends;
import io.vlitforge.shared.messaging.TransientFailures;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Decides every generated sample by running the whole filter chain (format, length, hygiene, then exact
 * and near duplicates in the database). One poll is one batch: its verdicts are stored in one
 * transaction, every sample is then sent on to {@code samples.accepted} or {@code samples.rejected}, and
 * the batch is acknowledged only after the broker has them all. An unreadable record goes to
 * {@code samples.generated.dlq} by itself, without holding back its batch. With the model judge on, the
 * samples of a batch that passed the content filters (and are not redeliveries) are judged concurrently
 * before the transaction, so a model call never holds a database lock and a rejected sample costs no call.
 */
@ApplicationScoped
public class SampleGeneratedConsumer {

    private static final Logger LOG = Logger.getLogger(SampleGeneratedConsumer.class);
    /** The channel that writes unreadable inbound records to the dead-letter topic. */
    static final String SAMPLES_GENERATED_DLQ = "samples.generated.dlq";
    /** The {@code step} field of this consumer's log lines. */
    private static final String STEP = "filtering";

    private final FilterChain chain;
    private final VerdictRepository repository;
    private final MutinyEmitter<String> accepted;
    private final MutinyEmitter<String> rejected;
    private final MutinyEmitter<String> deadLetters;
    private final MeterRegistry metrics;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    public SampleGeneratedConsumer(FilterChain chain, VerdictRepository repository,
            @Channel(Topics.SAMPLES_ACCEPTED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> accepted,
            @Channel(Topics.SAMPLES_REJECTED) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<String> rejected,
            @Channel(SAMPLES_GENERATED_DLQ) MutinyEmitter<String> deadLetters, MeterRegistry metrics) {
        this.chain = chain;
        this.repository = repository;
        this.accepted = accepted;
        this.rejected = rejected;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    @Incoming(Topics.SAMPLES_GENERATED)
    public Uni<Void> onSamplesGenerated(ConsumerRecords<String, String> records) {
        long started = System.nanoTime();
        List<VerdictRepository.Pending> pending = new ArrayList<>();
        List<Uni<Void>> sends = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            // Records are keyed by sample id, so what the filters log about a record names its sample.
            try (LogFields ids = LogFields.of(LogFields.SAMPLE_ID, record.key(), LogFields.STEP, STEP)) {
                try {
                    Sample sample = EventJson.read(record.value(), Sample.class);
                    if (sample.id() == null || sample.imageId() == null || sample.task() == null) {
                        throw new IllegalArgumentException("sample without id, imageId or task");
                    }
                    ids.and(LogFields.IMAGE_ID, sample.imageId()).and(LogFields.TASK, sample.task());
                    pending.add(new VerdictRepository.Pending(sample, chain.check(sample)));
                } catch (RuntimeException e) {
                    LOG.warnf("unreadable samples.generated record (partition %d, offset %d) sent to the "
                            + "dead-letter topic: %s", record.partition(), record.offset(), e.getMessage());
                    metrics.counter("vlit.filtering.records.dead_lettered", "reason", "unreadable").increment();
                    sends.add(deadLetters.sendMessage(DeadLetters.of(record, e)));
                }
            }
        }
        long checked = System.nanoTime();
        // A server outage decides the batch again: a sample whose verdict was stored replays it, and every send
        // is keyed by sample id, so nothing is doubled. Each attempt starts from the dead letters alone.
        return TransientFailures.retried(() -> judge(pending)
                .chain(judged -> decide(judged, new ArrayList<>(sends), started, checked)), "a batch of samples", LOG);
    }

    private Uni<Void> decide(List<VerdictRepository.Pending> pending, List<Uni<Void>> sends, long started,
            long checked) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        LineageStep step = chain.lineageStep(now);
        long[] decided = {0};
        return repository.decideAll(pending, chain, now).chain(decisions -> {
            decided[0] = System.nanoTime();
            for (int i = 0; i < decisions.size(); i++) {
                Sample sample = pending.get(i).sample();
                VerdictRepository.Decision decision = decisions.get(i);
                if (!decision.replayed()) {
                    count(sample, decision);
                }
                if (LOG.isDebugEnabled()) {
                    logDecision(sample, decision);
                }
                FilteredSample out = new FilteredSample(FilteredSample.SCHEMA_VERSION, sample.withStep(step),
                        decision.outcome(), decision.verdicts());
                MutinyEmitter<String> target = decision.outcome() == Verdict.Outcome.ACCEPTED ? accepted : rejected;
                sends.add(target.sendMessage(Message.of(EventJson.write(out))
                        .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(sample.id()).build())));
            }
            return Sends.all(sends);
        }).invoke(() -> {
            if (LOG.isDebugEnabled()) {
                long done = System.nanoTime();
                LOG.debugf("batch of %d samples: content filters %d ms, decided and stored %d ms, sent %d ms",
                        pending.size(), (checked - started) / 1_000_000, (decided[0] - checked) / 1_000_000,
                        (done - decided[0]) / 1_000_000);
            }
        }).onFailure().invoke(e -> LogFields.of(LogFields.STEP, STEP)
                .run(() -> LOG.errorf(e, "a batch of %d samples failed", pending.size())));
    }

    /**
     * Adds the model judge's verdict to every sample of the batch, when the judge is on. A sample already
     * decided (a redelivery) gets a placeholder that is never stored: its stored verdicts are replayed. The
     * same sample twice in one poll is judged once. The judge's replies arrive on the HTTP client's event
     * loop; the rest of the batch goes back to the consumer's own Vert.x context, where the database
     * session lives.
     */
    private Uni<List<VerdictRepository.Pending>> judge(List<VerdictRepository.Pending> pending) {
        JudgeFilter judge = chain.judge();
        if (judge == null || pending.isEmpty()) {
            return Uni.createFrom().item(pending);
        }
        Context context = Vertx.currentContext();
        List<String> ids = pending.stream().map(p -> p.sample().id()).distinct().toList();
        Uni<List<VerdictRepository.Pending>> judged = repository.decided(ids).chain(decided -> {
            Map<String, Uni<Verdict>> calls = new HashMap<>();
            List<Uni<VerdictRepository.Pending>> all = new ArrayList<>(pending.size());
            for (VerdictRepository.Pending p : pending) {
                Uni<Verdict> verdict = decided.contains(p.sample().id())
                        ? Uni.createFrom().item(judge.notJudged("already decided"))
                        : calls.computeIfAbsent(p.sample().id(),
                                id -> judge.verdict(p.sample(), p.contentVerdicts()).memoize().indefinitely());
                all.add(verdict.map(p::with));
            }
            return Uni.join().all(all).andFailFast();
        });
        return context == null ? judged
                : judged.emitOn(command -> context.runOnContext(ignored -> command.run()));
    }

    /** One line per decided sample (debug level), with the sample, its image and the deciding filter as fields. */
    private static void logDecision(Sample sample, VerdictRepository.Decision decision) {
        Verdict rejecting = decision.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                .findFirst().orElse(null);
        try (LogFields ids = LogFields.of(LogFields.SAMPLE_ID, sample.id(), LogFields.IMAGE_ID, sample.imageId())
                .and(LogFields.STEP, STEP).and(LogFields.TASK, sample.task())
                .and(LogFields.FILTER, rejecting == null ? null : rejecting.filter())) {
            LOG.debugf("sample %s %s%s%s", sample.id(), outcome(decision.outcome()),
                    rejecting == null ? "" : " by " + rejecting.filter() + ": " + rejecting.reason(),
                    decision.replayed() ? " (redelivered; stored verdicts replayed)" : "");
        }
    }

    /** Counted once per decision, never on a replay, so redeliveries do not inflate the numbers. */
    private void count(Sample sample, VerdictRepository.Decision decision) {
        String reason = decision.verdicts().stream().filter(v -> v.outcome() == Verdict.Outcome.REJECTED)
                .map(Verdict::reason).findFirst().orElse("none");
        counter("vlit.filtering.verdicts", "outcome", outcome(decision.outcome()), "reason", reason,
                "task", sample.task()).increment();
        for (Verdict verdict : decision.verdicts()) {
            counter("vlit.filtering.evaluated", "filter", verdict.filter(), "task", sample.task()).increment();
            counter("vlit.filtering.filter.verdicts", "filter", verdict.filter(), "outcome", outcome(verdict.outcome()),
                    "reason", verdict.reason() == null ? "none" : verdict.reason(), "task", sample.task()).increment();
        }
    }

    /**
     * The counter of a name and tags, looked up in the registry once: about twenty counters are counted per
     * sample, and the registry's own look-up (tags sorted, a meter id built) cost more than the increments.
     */
    private Counter counter(String name, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        Collections.addAll(key, tags);
        return counters.computeIfAbsent(key, k -> metrics.counter(name, tags));
    }

    private static String outcome(Verdict.Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
