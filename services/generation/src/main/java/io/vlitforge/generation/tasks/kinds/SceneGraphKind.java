package io.vlitforge.generation.tasks.kinds;

import io.vlitforge.generation.tasks.Annotations;
import io.vlitforge.generation.tasks.TaskContext;
import io.vlitforge.generation.tasks.TaskItem;
import io.vlitforge.generation.tasks.TaskKind;
import io.vlitforge.generation.tasks.TaskSpec;
import io.vlitforge.generation.tasks.Text;
import io.vlitforge.generation.tasks.Vocabulary;
import io.vlitforge.shared.events.BoundingBox;
import io.vlitforge.shared.events.ImageIngested;
import io.vlitforge.shared.events.Relation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Questions from a Visual Genome scene graph (objects with attributes, relations between them), written as
 * small GQA-style programs over the graph. Objects are named by category and only asked about when the name
 * is unambiguous (one box of that category). {@code program}:
 * <ul>
 *   <li>{@code query_colour}: select(object) then query(colour): "What colour is the car?"</li>
 *   <li>{@code query_attributes}: select(object) then list its attributes;</li>
 *   <li>{@code verify_attribute}: select(object) then verify(attribute), yes for an annotated colour and no
 *       for another colour;</li>
 *   <li>{@code relate_query_name}: select(subject), relate(predicate), query(name): "What is the man holding?"</li>
 *   <li>{@code query_relation}: the predicate between two objects;</li>
 *   <li>{@code verify_relation}: yes for an annotated relation, no for the same predicate to another object
 *       the subject has no relation with;</li>
 *   <li>{@code relate_query_colour}: select(subject), relate(predicate), query(colour) of the object;</li>
 *   <li>{@code and_exists}: logical and of two existence checks (yes when both are present, no when one is
 *       absent).</li>
 * </ul>
 */
public final class SceneGraphKind implements TaskKind {

    @Override
    public String name() {
        return "scene_graph";
    }

    @Override
    public Set<String> slots() {
        return Set.of("object", "subject", "predicate", "attribute", "first", "second");
    }

    @Override
    public List<TaskItem> items(ImageIngested image, TaskSpec spec, TaskContext context) {
        List<TaskItem> items = new ArrayList<>();
        Map<String, BoundingBox> unique = Annotations.unique(image);
        List<String> colours = Vocabulary.get().colours();
        String program = spec.param("program", "query_colour");
        switch (program) {
            case "query_colour", "query_attributes", "verify_attribute" -> unique.forEach((object, box) -> {
                List<String> attributes = box.attributes().stream().map(a -> a.strip().toLowerCase())
                        .filter(a -> !a.isEmpty()).distinct().toList();
                List<String> own = attributes.stream().filter(colours::contains).toList();
                if ("query_attributes".equals(program) && !attributes.isEmpty()) {
                    items.add(TaskItem.of("attrs:" + object, "The " + object + " is " + Text.list(attributes) + ".",
                            "object", object));
                } else if ("query_colour".equals(program) && own.size() == 1) {
                    items.add(TaskItem.of("colour:" + object, own.get(0), "object", object));
                } else if ("verify_attribute".equals(program) && own.size() == 1) {
                    items.add(TaskItem.of("verify:" + object + ":" + own.get(0), "Yes", "object", object,
                            "attribute", own.get(0)));
                    List<String> others = colours.stream().filter(c -> !own.contains(c)).toList();
                    String other = Choices.pick(others, 1, context.random("verify:" + object)).get(0);
                    items.add(TaskItem.of("verify:" + object + ":" + other, "No", "object", object, "attribute", other));
                }
            });
            case "relate_query_name", "query_relation", "verify_relation", "relate_query_colour" -> {
                Map<String, List<BoundingBox>> byId = Annotations.byObjectId(image);
                for (Relation r : image.relations()) {
                    BoundingBox s = first(byId.get(r.subjectId()));
                    BoundingBox o = first(byId.get(r.objectId()));
                    if (s == null || o == null || r.predicate() == null || r.predicate().isBlank()) {
                        continue;
                    }
                    String subject = Annotations.name(s.category());
                    String object = Annotations.name(o.category());
                    if (!unique.containsKey(subject) || subject.equals(object)) {
                        continue;
                    }
                    String predicate = r.predicate().strip().toLowerCase();
                    String key = "rel:" + r.sourceId();
                    switch (program) {
                        case "relate_query_name" -> items.add(TaskItem.of(key, object, "subject", subject,
                                "predicate", predicate));
                        case "query_relation" -> {
                            if (unique.containsKey(object)) {
                                items.add(TaskItem.of(key, "The " + subject + " is " + predicate + " the " + object + ".",
                                        "subject", subject, "object", object));
                            }
                        }
                        case "verify_relation" -> {
                            if (!unique.containsKey(object)) {
                                continue;
                            }
                            items.add(TaskItem.of(key + ":yes", "Yes", "subject", subject, "predicate", predicate,
                                    "object", object));
                            List<String> unrelated = unique.keySet().stream()
                                    .filter(c -> !c.equals(subject) && !c.equals(object)
                                            && !related(image, byId, subject, c))
                                    .toList();
                            if (!unrelated.isEmpty()) {
                                SplittableRandom random = context.random(key);
                                String other = Choices.pick(unrelated, 1, random).get(0);
                                items.add(TaskItem.of(key + ":no", "No", "subject", subject, "predicate", predicate,
                                        "object", other));
                            }
                        }
                        case "relate_query_colour" -> {
                            List<String> own = o.attributes().stream().map(a -> a.strip().toLowerCase())
                                    .filter(colours::contains).distinct().toList();
                            if (own.size() == 1) {
                                items.add(TaskItem.of(key, own.get(0), "subject", subject, "predicate", predicate,
                                        "object", object));
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
            case "and_exists" -> {
                List<String> present = new ArrayList<>(Annotations.counts(image).keySet());
                List<String> absent = Vocabulary.get().objectsByFrequency().stream()
                        .filter(x -> !Annotations.mentioned(image, x)).toList();
                for (int i = 0; i + 1 < present.size(); i += 2) {
                    String a = present.get(i);
                    String b = present.get(i + 1);
                    items.add(TaskItem.of("and:" + a + "|" + b, "Yes", "first", Text.noun(a, 2), "second", Text.noun(b, 2)));
                    if (!absent.isEmpty()) {
                        String missing = Choices.pick(absent, 1, context.random("and:" + a)).get(0);
                        items.add(TaskItem.of("and:" + a + "|" + missing, "No", "first", Text.noun(a, 2), "second",
                                Text.noun(missing, 2)));
                    }
                }
            }
            default -> throw new IllegalArgumentException("scene-graph program '" + program + "' unknown");
        }
        return items;
    }

    private static boolean related(ImageIngested image, Map<String, List<BoundingBox>> byId, String subject, String other) {
        for (Relation r : image.relations()) {
            BoundingBox s = first(byId.get(r.subjectId()));
            BoundingBox o = first(byId.get(r.objectId()));
            if (s != null && o != null) {
                String sn = Annotations.name(s.category());
                String on = Annotations.name(o.category());
                if ((sn.equals(subject) && on.equals(other)) || (sn.equals(other) && on.equals(subject))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static BoundingBox first(List<BoundingBox> boxes) {
        return boxes == null || boxes.isEmpty() ? null : boxes.get(0);
    }
}
