package io.vlitforge.filtering.repository;

import io.smallrye.mutiny.Uni;
import io.vlitforge.filtering.filters.NoveltyFilter;
import io.vlitforge.filtering.filters.RougeL;
import io.vlitforge.shared.events.Sample;
import io.vlitforge.shared.events.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.TreeSet;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The novelty pool in PostgreSQL, so that "new enough" holds across replicas: a batch first takes a
 * transaction-level advisory lock on every scope it will check, in sorted order (so two replicas cannot
 * deadlock), then each sample is compared with the most recent {@code poolSize} instructions of its scope and,
 * if it passed everything so far, added to the pool. Runs inside the caller's transaction.
 */
@ApplicationScoped
public class NoveltyPool {

    /** Locks the scopes of a batch in sorted order; the locks are released at commit. */
    public Uni<Void> lockScopes(Mutiny.Session session, NoveltyFilter novelty, List<Sample> samples) {
        TreeSet<String> scopes = new TreeSet<>();
        samples.forEach(s -> scopes.add(novelty.scopeOf(s)));
        if (!novelty.enabled() || scopes.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return session.createNativeQuery("select count(pg_advisory_xact_lock(hashtext(s))) from (select distinct s "
                        + "from unnest(cast(?1 as text[])) s order by s) x", Long.class)
                .setParameter(1, scopes.toArray(String[]::new)).getSingleResult().replaceWithVoid();
    }

    /** The sample's novelty verdict; a sample that passed so far ({@code add}) joins the pool when novel. */
    public Uni<Verdict> check(Mutiny.Session session, NoveltyFilter novelty, Sample sample, boolean add,
            OffsetDateTime now) {
        if (!novelty.enabled()) {
            return Uni.createFrom().item(novelty.off());
        }
        String scope = novelty.scopeOf(sample);
        String text = NoveltyFilter.instructions(sample);
        List<String> words = RougeL.words(text);
        return session.createNativeQuery("select sample_id, instructions from filtering.novelty_pool where scope = ?1 "
                        + "and sample_id <> ?2 order by added_at desc limit ?3", Object[].class)
                .setParameter(1, scope).setParameter(2, sample.id()).setParameter(3, novelty.poolSize())
                .getResultList().chain(rows -> {
                    double best = 0;
                    String with = null;
                    for (Object[] row : rows) {
                        double f = RougeL.f1(words, RougeL.words((String) row[1]));
                        if (f > best) {
                            best = f;
                            with = (String) row[0];
                        }
                    }
                    Verdict verdict = novelty.verdict(best, with);
                    if (!add || verdict.outcome() != Verdict.Outcome.ACCEPTED) {
                        return Uni.createFrom().item(verdict);
                    }
                    return session.createNativeQuery("insert into filtering.novelty_pool (scope, sample_id, "
                                    + "instructions, added_at) values (?1, ?2, ?3, ?4) on conflict do nothing")
                            .setParameter(1, scope).setParameter(2, sample.id()).setParameter(3, text)
                            .setParameter(4, now).executeUpdate().replaceWith(verdict);
                });
    }

    /** Takes a sample back out of the pool, for a sample rejected after it joined (by a quota). */
    public Uni<Void> release(Mutiny.Session session, String sampleId) {
        return session.createNativeQuery("delete from filtering.novelty_pool where sample_id = ?1")
                .setParameter(1, sampleId).executeUpdate().replaceWithVoid();
    }
}
