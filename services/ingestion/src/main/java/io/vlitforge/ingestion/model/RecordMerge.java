package io.vlitforge.ingestion.model;

import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.SourceRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * How the records of one picture from several sources become one: lists are joined in the order the
 * sources were recorded, and an annotation that is exactly the same as one already there (the same
 * caption text, the same box, the same VG region read under two data-set names) is kept once. Phrases
 * follow their caption. The stored record ({@code GET /images/{id}}) and the announced one are both made
 * here, so they agree.
 */
public final class RecordMerge {

    private RecordMerge() {
    }

    /** {@code base} (may be null) joined with what one more source says about the same image. */
    public static ImageIngested merge(ImageIngested base, ImageIngested add) {
        if (base == null) {
            return distinct(add);
        }
        int shift = base.captions().size();
        List<GroundedPhrase> phrases = new ArrayList<>(base.phrases());
        add.phrases().forEach(p -> phrases.add(new GroundedPhrase(p.captionIndex() + shift, p.firstWord(), p.phrase(),
                p.entityId(), p.types())));
        List<SourceRef> sources = new ArrayList<>(base.sources());
        add.sources().stream().filter(s -> !sources.contains(s)).forEach(sources::add);
        return distinct(new ImageIngested(ImageIngested.SCHEMA_VERSION, base.imageId(), base.imageKey(), base.format(),
                base.width(), base.height(), concat(base.captions(), add.captions()), concat(base.boxes(), add.boxes()),
                base.licence() != null ? base.licence() : add.licence(),
                base.source() != null ? base.source() : add.source(), base.ingestRunId(),
                concat(base.regions(), add.regions()), concat(base.relations(), add.relations()),
                concat(base.questions(), add.questions()),
                concat(base.referringExpressions(), add.referringExpressions()), phrases,
                concat(base.conversations(), add.conversations()), sources,
                base.credit() != null ? base.credit() : add.credit(),
                base.perceptualHash() != null ? base.perceptualHash() : add.perceptualHash()));
    }

    /** The record with every exact repeat removed (captions by text; phrases re-pointed at the kept caption). */
    public static ImageIngested distinct(ImageIngested e) {
        List<String> captions = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        int[] remap = new int[e.captions().size()];
        for (int i = 0; i < e.captions().size(); i++) {
            String c = e.captions().get(i);
            Integer at = index.get(c);
            if (at == null) {
                at = captions.size();
                captions.add(c);
                index.put(c, at);
            }
            remap[i] = at;
        }
        List<GroundedPhrase> phrases = new ArrayList<>();
        for (GroundedPhrase p : e.phrases()) {
            if (p.captionIndex() >= 0 && p.captionIndex() < remap.length) {
                phrases.add(new GroundedPhrase(remap[p.captionIndex()], p.firstWord(), p.phrase(), p.entityId(),
                        p.types()));
            }
        }
        return new ImageIngested(e.schemaVersion(), e.imageId(), e.imageKey(), e.format(), e.width(), e.height(),
                captions, once(e.boxes()), e.licence(), e.source(), e.ingestRunId(), once(e.regions()),
                once(e.relations()), once(e.questions()), once(e.referringExpressions()), once(phrases),
                once(e.conversations()), once(e.sources()), e.credit(), e.perceptualHash());
    }

    private static <T> List<T> once(List<T> list) {
        return new ArrayList<>(new LinkedHashSet<>(list));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }
}
