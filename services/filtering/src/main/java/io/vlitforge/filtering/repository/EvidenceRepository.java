package io.vlitforge.filtering.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.vlitforge.shared.events.Generator;
import io.vlitforge.shared.events.Lineage;
import io.vlitforge.shared.events.LineageStep;
import io.vlitforge.shared.events.Recipe;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.events.Strategy;
import io.vlitforge.shared.events.Verdict;
import io.vlitforge.shared.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The read side of the evidence: a sample's full lineage with its verdicts, rejections by filter and reason
 * (every filter's rejection, not only the first one that decided the row), and the funnel of a filtering
 * run. A run is one chain version: the samples decided by the same filters with the same parameters.
 * Everything is read from the stored verdict rows, which are never deleted.
 */
@ApplicationScoped
public class EvidenceRepository {

    private static final TypeReference<List<Verdict>> VERDICT_LIST = new TypeReference<>() {
    };
    /** Every verdict of every sample of a run with its position in the chain. */
    private static final String VERDICTS_OF_RUN = """
            select t.sample_id, e.f->>'filter' as filter, e.f->>'outcome' as outcome, e.f->>'reason' as reason, e.pos
            from filtering.verdicts t cross join lateral jsonb_array_elements(t.verdicts_json::jsonb)
                with ordinality as e(f, pos)
            where (?1 = '*' or t.chain_version = ?1)""";

    /** What {@code GET /samples/{id}/lineage} answers. */
    public record SampleLineage(String sampleId, String imageId, String task, String outcome, String reason,
            String detail, OffsetDateTime decidedAt, String run, SourceRef source, Strategy strategy, Recipe recipe,
            String templateId, long seed, Generator generator, String promptHash, String boxConvention,
            List<LineageStep> steps, List<Verdict> verdicts) {
    }

    /** One filter of a funnel, in chain order. */
    public record FunnelStep(int position, String filter, long evaluated, long passed, long rejected,
            long decidedHere, long remaining, Map<String, Long> rejectedByReason) {
    }

    /**
     * A run's funnel: every filter sees every sample ({@code evaluated}, {@code passed}, {@code rejected} by
     * reason); {@code decidedHere} counts the samples whose first failed filter is this one and
     * {@code remaining} the samples that passed it and every filter before it.
     */
    public record Funnel(String run, long samples, long accepted, long rejected, List<FunnelStep> filters) {
    }

    /** The rejections of one filter and reason, counted over every verdict. */
    public record RejectionCount(String filter, String reason, long samples) {
    }

    @WithSession
    public Uni<SampleLineage> lineageOf(String sampleId) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                select sample_id, image_id, task, outcome, reason, detail, decided_at, chain_version, lineage_json,
                    verdicts_json from filtering.verdicts where sample_id = ?1""", Object[].class)
                .setParameter(1, sampleId).getResultList())
                .map(rows -> rows.isEmpty() ? null : lineage(rows.get(0)));
    }

    private static SampleLineage lineage(Object[] row) {
        try {
            Lineage l = row[8] == null ? null : EventJson.mapper().readValue((String) row[8], Lineage.class);
            List<Verdict> verdicts = EventJson.mapper().readValue((String) row[9], VERDICT_LIST);
            Generator generator = l == null ? null : l.generator();
            return new SampleLineage((String) row[0], (String) row[1], (String) row[2], (String) row[3],
                    (String) row[4], (String) row[5], time(row[6]), (String) row[7], l == null ? null : l.source(),
                    l == null ? null : l.strategy(), l == null ? null : l.recipe(), l == null ? null : l.templateId(),
                    l == null ? 0 : l.seed(), generator, generator == null ? null : generator.promptHash(),
                    l == null ? null : l.boxConvention(), l == null ? List.of() : l.steps(), verdicts);
        } catch (Exception e) {
            throw new IllegalStateException("stored lineage of " + row[0] + " is unreadable", e);
        }
    }

    private static OffsetDateTime time(Object value) {
        if (value instanceof OffsetDateTime t) {
            return t;
        }
        if (value instanceof java.time.Instant i) {
            return i.atOffset(java.time.ZoneOffset.UTC);
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        return value == null ? null : OffsetDateTime.parse(value.toString());
    }

    /** The funnel of run {@code run} (a chain version, or {@code *} for every sample ever decided). */
    @WithSession
    public Uni<Funnel> funnel(String run) {
        String sql = "with v as (" + VERDICTS_OF_RUN + """
                ), firsts as (select sample_id, min(pos) as first_fail from v where outcome = 'REJECTED'
                    group by sample_id)
                select v.pos, v.filter, v.outcome, coalesce(v.reason, ''), count(*),
                    count(*) filter (where f.first_fail = v.pos),
                    count(*) filter (where f.first_fail is null or f.first_fail > v.pos)
                from v left join firsts f on f.sample_id = v.sample_id
                group by v.pos, v.filter, v.outcome, v.reason order by v.pos, v.outcome, 4""";
        return Panache.getSession().chain(session -> session.createNativeQuery(sql, Object[].class)
                .setParameter(1, run).getResultList().chain(rows -> session.createNativeQuery(
                        "select outcome, count(*) from filtering.verdicts where (?1 = '*' or chain_version = ?1) "
                                + "group by outcome", Object[].class).setParameter(1, run).getResultList()
                        .map(outcomes -> funnel(run, rows, outcomes))));
    }

    private static Funnel funnel(String run, List<Object[]> rows, List<Object[]> outcomes) {
        Map<Integer, Object[]> steps = new TreeMap<>();
        for (Object[] r : rows) {
            int pos = ((Number) r[0]).intValue();
            // position, filter, evaluated, passed, rejected, decidedHere, remaining, byReason
            Object[] s = steps.computeIfAbsent(pos, p -> new Object[] {p, r[1], 0L, 0L, 0L, 0L, 0L,
                    new LinkedHashMap<String, Long>()});
            long n = ((Number) r[4]).longValue();
            s[2] = (Long) s[2] + n;
            if (Verdict.Outcome.ACCEPTED.name().equals(r[2])) {
                s[3] = (Long) s[3] + n;
            } else {
                s[4] = (Long) s[4] + n;
                @SuppressWarnings("unchecked")
                Map<String, Long> byReason = (Map<String, Long>) s[7];
                byReason.merge((String) r[3], n, Long::sum);
            }
            s[5] = (Long) s[5] + ((Number) r[5]).longValue();
            s[6] = (Long) s[6] + ((Number) r[6]).longValue();
        }
        List<FunnelStep> out = new ArrayList<>();
        for (Object[] s : steps.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Long> byReason = (Map<String, Long>) s[7];
            out.add(new FunnelStep((Integer) s[0], (String) s[1], (Long) s[2], (Long) s[3], (Long) s[4], (Long) s[5],
                    (Long) s[6], byReason));
        }
        long accepted = 0;
        long rejected = 0;
        for (Object[] o : outcomes) {
            long n = ((Number) o[1]).longValue();
            if (Verdict.Outcome.ACCEPTED.name().equals(o[0])) {
                accepted += n;
            } else {
                rejected += n;
            }
        }
        return new Funnel(run, accepted + rejected, accepted, rejected, out);
    }

    /** Rejections counted by filter and reason over every verdict (a sample can fail several filters). */
    @WithSession
    public Uni<List<RejectionCount>> rejectionsByFilter(String run) {
        String sql = "with v as (" + VERDICTS_OF_RUN + ") select filter, reason, count(*) from v "
                + "where outcome = 'REJECTED' group by filter, reason order by filter, reason";
        return Panache.getSession().chain(session -> session.createNativeQuery(sql, Object[].class)
                .setParameter(1, run).getResultList()).map(rows -> rows.stream().map(r -> new RejectionCount(
                        (String) r[0], (String) r[1], ((Number) r[2]).longValue())).toList());
    }

    /** One page of samples that a given filter rejected (whatever the first reason), optionally one reason. */
    @WithSession
    public Uni<VerdictRepository.RejectionPage> rejectedBy(String filter, String reason, int page, int size) {
        String wanted = reason == null ? "" : reason;
        String where = " from filtering.verdicts t where t.outcome = 'REJECTED' and exists (select 1 from "
                + "jsonb_array_elements(t.verdicts_json::jsonb) e where e->>'filter' = ?1 "
                + "and e->>'outcome' = 'REJECTED' and (?4 = '' or e->>'reason' = ?4))";
        return Panache.getSession().chain(session -> session.createNativeQuery("select count(*)" + where
                        .replace("?4", "?2"), Long.class)
                .setParameter(1, filter).setParameter(2, wanted).getSingleResult().chain(total -> session
                        .createNativeQuery("select sample_id, image_id, task, reason, detail, decided_at" + where
                                + " order by decided_at, sample_id limit ?2 offset ?3", Object[].class)
                        .setParameter(1, filter).setParameter(2, size).setParameter(3, (long) page * size)
                        .setParameter(4, wanted)
                        .getResultList().map(rows -> new VerdictRepository.RejectionPage(reason, page, size, total,
                                rows.stream().map(r -> new VerdictRepository.Rejection((String) r[0], (String) r[1],
                                        (String) r[2], (String) r[3], (String) r[4], time(r[5]))).toList()))));
    }
}
