package io.vlitforge.ingestion.repository;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.vlitforge.ingestion.model.RecordMerge;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.GroundedPhrase;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.ImportedConversation;
import io.vlitforge.shared.events.Licence;
import io.vlitforge.shared.events.QaPair;
import io.vlitforge.shared.events.ReferringExpression;
import io.vlitforge.shared.events.Region;
import io.vlitforge.shared.events.Relation;
import io.vlitforge.shared.events.SourceRef;
import io.vlitforge.shared.json.EventJson;
import io.vlitforge.shared.sql.MultiRowInsert;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The image records of every format: writes what one source says about an image (its source reference,
 * captions, boxes and the other annotation kinds) and reads an image's whole merged record back, from
 * however many sources it was joined. Writes are multi-row inserts with {@code ON CONFLICT DO NOTHING} on
 * natural keys, so a repeated batch changes nothing.
 */
@ApplicationScoped
public class ImageRecordRepository {

    public static final String REGION = "region";
    public static final String RELATION = "relation";
    public static final String QUESTION = "question";
    public static final String REFERRING_EXPRESSION = "referring_expression";
    public static final String PHRASE = "phrase";
    public static final String CONVERSATION = "conversation";

    /** A new image row (when {@code objectKey} is null the image exists and only annotations are added). */
    public record ImageRow(String imageId, String objectKey, String format, int width, int height, long byteSize,
            Licence licence, String credit, String perceptualHash) {
    }

    public record SourceRow(String dataset, String sourceId, String split, String fileName, String format,
            String linkedCocoId, String imageId, String runId) {
    }

    public record CaptionRow(String dataset, String id, String text) {
    }

    public record BoxRow(String dataset, String id, BoundingBox box) {
    }

    public record AnnotationRow(String dataset, String kind, String id, String captionRef, String payload) {
    }

    /** Everything one source item adds to one image. */
    public record ItemRecords(ImageRow image, SourceRow source, List<CaptionRow> captions, List<BoxRow> boxes,
            List<AnnotationRow> annotations) {
    }

    /** An image a COCO image id already names. */
    public record CocoImage(String cocoId, String imageId, String objectKey, String format, int width, int height) {
    }

    @WithTransaction
    public Uni<Void> save(List<ItemRecords> batch) {
        List<ImageRow> images = batch.stream().map(ItemRecords::image).filter(i -> i.objectKey() != null).toList();
        List<SourceRow> sources = batch.stream().map(ItemRecords::source).toList();
        List<ImageRow> joined = batch.stream().map(ItemRecords::image)
                .filter(i -> i.objectKey() == null && (i.licence() != null || i.credit() != null)).toList();
        List<CaptionAt> captions = new ArrayList<>();
        List<BoxAt> boxes = new ArrayList<>();
        List<AnnotationAt> annotations = new ArrayList<>();
        for (ItemRecords r : batch) {
            String imageId = r.source().imageId();
            r.captions().forEach(c -> captions.add(new CaptionAt(imageId, c)));
            r.boxes().forEach(b -> boxes.add(new BoxAt(imageId, b)));
            r.annotations().forEach(a -> annotations.add(new AnnotationAt(imageId, a)));
        }
        OffsetDateTime now = OffsetDateTime.now(java.time.ZoneOffset.UTC);
        return Panache.getSession().chain(session -> MultiRowInsert.insert(session, INSERT_IMAGES,
                        " on conflict (image_id) do update set perceptual_hash = "
                        + "coalesce(ingestion.images.perceptual_hash, excluded.perceptual_hash)", 11, images, (i, q, p) -> q.setParameter(p, i.imageId())
                                .setParameter(p + 1, i.objectKey()).setParameter(p + 2, i.format())
                                .setParameter(p + 3, i.width()).setParameter(p + 4, i.height())
                                .setParameter(p + 5, i.byteSize())
                                .setParameter(p + 6, i.licence() == null ? null : cut(i.licence().name(), 300))
                                .setParameter(p + 7, i.licence() == null ? null : cut(i.licence().url(), 500))
                                .setParameter(p + 8, now).setParameter(p + 9, cut(i.credit(), 1000))
                                .setParameter(p + 10, i.perceptualHash()))
                .chain(() -> fillLicences(session, joined))
                .chain(() -> MultiRowInsert.insert(session, INSERT_SOURCES,
                        " on conflict (dataset, source_id) do nothing", 9, sources,
                        (s, q, p) -> q.setParameter(p, s.dataset()).setParameter(p + 1, s.sourceId())
                                .setParameter(p + 2, cut(s.split(), 100)).setParameter(p + 3, cut(s.fileName(), 500))
                                .setParameter(p + 4, s.imageId()).setParameter(p + 5, s.runId())
                                .setParameter(p + 6, s.format()).setParameter(p + 7, s.linkedCocoId())
                                .setParameter(p + 8, now)))
                .chain(() -> MultiRowInsert.insert(session, INSERT_CAPTIONS,
                        " on conflict (dataset, source_annotation_id) do nothing", 4, captions,
                        (c, q, p) -> q.setParameter(p, c.imageId()).setParameter(p + 1, c.row().dataset())
                                .setParameter(p + 2, cut(c.row().id(), 100)).setParameter(p + 3, c.row().text())))
                .chain(() -> MultiRowInsert.insert(session, INSERT_BOXES,
                        " on conflict (dataset, source_annotation_id) do nothing", 11, boxes,
                        (b, q, p) -> q.setParameter(p, b.imageId()).setParameter(p + 1, b.row().dataset())
                                .setParameter(p + 2, cut(b.row().id(), 100))
                                .setParameter(p + 3, cut(b.row().box().category(), 200))
                                .setParameter(p + 4, b.row().box().x()).setParameter(p + 5, b.row().box().y())
                                .setParameter(p + 6, b.row().box().width()).setParameter(p + 7, b.row().box().height())
                                .setParameter(p + 8, cut(b.row().box().objectId(), 200))
                                .setParameter(p + 9, EventJson.write(b.row().box().attributes()))
                                .setParameter(p + 10, b.row().box().sourceConvention())))
                .chain(() -> MultiRowInsert.insert(session, INSERT_ANNOTATIONS,
                        " on conflict (dataset, kind, source_annotation_id) do nothing", 6, annotations,
                        (a, q, p) -> q.setParameter(p, a.imageId()).setParameter(p + 1, a.row().dataset())
                                .setParameter(p + 2, a.row().kind()).setParameter(p + 3, cut(a.row().id(), 300))
                                .setParameter(p + 4, cut(a.row().captionRef(), 300))
                                .setParameter(p + 5, a.row().payload())))
                .replaceWithVoid());
    }

    /**
     * A source joining a recorded image (its own row is not written) gives the record the licence and
     * credit it lacks: a COCO image's licence after its Visual Genome copy, which has none. What the record
     * has is kept, as {@link RecordMerge} keeps the first source's.
     */
    private static Uni<Void> fillLicences(Mutiny.Session session, List<ImageRow> joined) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ImageRow i : joined) {
            String name = i.licence() == null ? null : cut(i.licence().name(), 300);
            String url = i.licence() == null ? null : cut(i.licence().url(), 500);
            chain = chain.chain(() -> session.createNativeQuery("update ingestion.images set "
                            + "licence_name = case when licence_name is null and licence_url is null then cast(:name as varchar) "
                            + "else licence_name end, "
                            + "licence_url = case when licence_name is null and licence_url is null then cast(:url as varchar) "
                            + "else licence_url end, credit = coalesce(credit, cast(:credit as varchar)) where image_id = :id")
                    .setParameter("name", name).setParameter("url", url)
                    .setParameter("credit", cut(i.credit(), 1000)).setParameter("id", i.imageId())
                    .executeUpdate().replaceWithVoid());
        }
        return chain;
    }

    private record CaptionAt(String imageId, CaptionRow row) {
    }

    private record BoxAt(String imageId, BoxRow row) {
    }

    private record AnnotationAt(String imageId, AnnotationRow row) {
    }

    private static final String INSERT_IMAGES = "insert into ingestion.images (image_id, object_key, format, width, "
            + "height, byte_size, licence_name, licence_url, created_at, credit, perceptual_hash) values ";
    private static final String INSERT_SOURCES = "insert into ingestion.image_sources (dataset, source_id, split, "
            + "file_name, image_id, run_id, format, linked_coco_id, added_at) values ";
    private static final String INSERT_CAPTIONS = "insert into ingestion.captions (image_id, dataset, "
            + "source_annotation_id, text) values ";
    private static final String INSERT_BOXES = "insert into ingestion.boxes (image_id, dataset, source_annotation_id, "
            + "category, x, y, width, height, object_id, attributes, source_convention) values ";
    private static final String INSERT_ANNOTATIONS = "insert into ingestion.annotations (image_id, dataset, kind, "
            + "source_annotation_id, caption_ref, payload) values ";

    /** The COCO images (ingested from any COCO data set) with these COCO ids. */
    @WithSession
    public Uni<Map<String, CocoImage>> cocoImages(Collection<String> cocoIds) {
        return recordsBySourceKey("s.source_id", "coco", cocoIds);
    }

    /**
     * The records that Visual Genome images naming these COCO ids ({@code coco_id}) were recorded into, by
     * COCO id: where a COCO image arriving after its Visual Genome copy belongs.
     */
    @WithSession
    public Uni<Map<String, CocoImage>> imagesNamingCoco(Collection<String> cocoIds) {
        return recordsBySourceKey("s.linked_coco_id", "vg", cocoIds);
    }

    /**
     * The first recorded image of each key, where {@code keyColumn} (a column of {@code image_sources}, a
     * constant of this class, never input) holds the key among the sources of {@code format}.
     */
    private Uni<Map<String, CocoImage>> recordsBySourceKey(String keyColumn, String format, Collection<String> keys) {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select " + keyColumn + ", i.image_id, i.object_key, i.format, i.width, i.height "
                                + "from ingestion.image_sources s join ingestion.images i on i.image_id = s.image_id "
                                + "where s.format = :format and " + keyColumn + " in (:ids) order by s.added_at",
                        Object[].class)
                .setParameter("format", format).setParameter("ids", List.copyOf(keys)).getResultList())
                .map(rows -> {
                    Map<String, CocoImage> out = new HashMap<>();
                    for (Object[] r : rows) {
                        out.putIfAbsent((String) r[0], new CocoImage((String) r[0], (String) r[1], (String) r[2],
                                (String) r[3], ((Number) r[4]).intValue(), ((Number) r[5]).intValue()));
                    }
                    return out;
                });
    }

    /** The whole merged records of these images (those that exist), without a run id. */
    @WithSession
    public Uni<Map<String, ImageIngested>> load(Collection<String> imageIds) {
        if (imageIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<String> ids = List.copyOf(imageIds);
        return Panache.getSession().chain(session -> select(session,
                        "select image_id, object_key, format, width, height, licence_name, licence_url, credit, "
                                + "perceptual_hash from ingestion.images where image_id in (:ids)", ids)
                .chain(images -> select(session, "select image_id, dataset, split, source_id, file_name "
                        + "from ingestion.image_sources where image_id in (:ids) order by added_at, dataset, source_id",
                        ids)
                        .chain(sources -> select(session, "select image_id, dataset, source_annotation_id, text "
                                + "from ingestion.captions where image_id in (:ids) order by id", ids)
                                .chain(captions -> select(session, "select image_id, category, x, y, width, height, "
                                        + "object_id, attributes, source_convention from ingestion.boxes "
                                        + "where image_id in (:ids) order by id", ids)
                                        .chain(boxes -> select(session, "select image_id, dataset, kind, payload, "
                                                + "caption_ref from ingestion.annotations where image_id in (:ids) "
                                                + "order by id", ids)
                                                .map(annotations -> assemble(images, sources, captions, boxes,
                                                        annotations)))))));
    }

    private static Uni<List<Object[]>> select(Mutiny.Session session, String sql, List<String> ids) {
        return session.createNativeQuery(sql, Object[].class).setParameter("ids", ids).getResultList();
    }

    /** Builds one {@link ImageIngested} per image row from the rows of every table. */
    private static Map<String, ImageIngested> assemble(List<Object[]> images, List<Object[]> sources,
            List<Object[]> captions, List<Object[]> boxes, List<Object[]> annotations) {
        Map<String, Builder> byId = new LinkedHashMap<>();
        for (Object[] r : images) {
            Builder b = new Builder();
            b.imageId = (String) r[0];
            b.objectKey = (String) r[1];
            b.format = (String) r[2];
            b.width = ((Number) r[3]).intValue();
            b.height = ((Number) r[4]).intValue();
            b.licence = r[5] == null && r[6] == null ? null : new Licence((String) r[5], (String) r[6]);
            b.credit = (String) r[7];
            b.perceptualHash = (String) r[8];
            byId.put(b.imageId, b);
        }
        for (Object[] r : sources) {
            Builder b = byId.get((String) r[0]);
            if (b != null) {
                b.sources.add(new SourceRef((String) r[1], (String) r[2], (String) r[3], (String) r[4]));
            }
        }
        for (Object[] r : captions) {
            Builder b = byId.get((String) r[0]);
            if (b != null) {
                b.captionIndex.put(r[1] + "\u0000" + r[2], b.captions.size());
                b.captions.add((String) r[3]);
            }
        }
        for (Object[] r : boxes) {
            Builder b = byId.get((String) r[0]);
            if (b != null) {
                List<String> attributes = r[7] == null ? List.of() : parse((String) r[7], STRINGS);
                b.boxes.add(new BoundingBox((String) r[1], ((Number) r[2]).doubleValue(), ((Number) r[3]).doubleValue(),
                        ((Number) r[4]).doubleValue(), ((Number) r[5]).doubleValue(), (String) r[6], attributes,
                        r[8] == null ? "coco-xywh" : (String) r[8]));
            }
        }
        for (Object[] r : annotations) {
            Builder b = byId.get((String) r[0]);
            if (b == null) {
                continue;
            }
            String payload = (String) r[3];
            switch ((String) r[2]) {
                case REGION -> b.regions.add(parse(payload, Region.class));
                case RELATION -> b.relations.add(parse(payload, Relation.class));
                case QUESTION -> b.questions.add(parse(payload, QaPair.class));
                case REFERRING_EXPRESSION -> b.referringExpressions.add(parse(payload, ReferringExpression.class));
                case CONVERSATION -> b.conversations.add(parse(payload, ImportedConversation.class));
                case PHRASE -> {
                    GroundedPhrase p = parse(payload, GroundedPhrase.class);
                    Integer index = b.captionIndex.get(r[1] + "\u0000" + r[4]);
                    if (index != null) {
                        b.phrases.add(new GroundedPhrase(index, p.firstWord(), p.phrase(), p.entityId(), p.types()));
                    }
                }
                default -> {
                    // A kind written by a newer version: not part of this version's record.
                }
            }
        }
        Map<String, ImageIngested> out = new LinkedHashMap<>();
        byId.forEach((id, b) -> out.put(id, RecordMerge.distinct(b.build())));
        return out;
    }

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    private static <T> T parse(String json, Class<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored annotation is not readable: " + e.getMessage(), e);
        }
    }

    private static <T> T parse(String json, TypeReference<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored annotation is not readable: " + e.getMessage(), e);
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static final class Builder {
        String imageId;
        String objectKey;
        String format;
        int width;
        int height;
        Licence licence;
        String credit;
        String perceptualHash;
        final List<SourceRef> sources = new ArrayList<>();
        final List<String> captions = new ArrayList<>();
        final Map<String, Integer> captionIndex = new HashMap<>();
        final List<BoundingBox> boxes = new ArrayList<>();
        final List<Region> regions = new ArrayList<>();
        final List<Relation> relations = new ArrayList<>();
        final List<QaPair> questions = new ArrayList<>();
        final List<ReferringExpression> referringExpressions = new ArrayList<>();
        final List<GroundedPhrase> phrases = new ArrayList<>();
        final List<ImportedConversation> conversations = new ArrayList<>();

        ImageIngested build() {
            return new ImageIngested(ImageIngested.SCHEMA_VERSION, imageId, objectKey, format, width, height, captions,
                    boxes, licence, sources.isEmpty() ? null : sources.get(0), null, regions, relations, questions,
                    referringExpressions, phrases, conversations, sources, credit, perceptualHash);
        }
    }
}
