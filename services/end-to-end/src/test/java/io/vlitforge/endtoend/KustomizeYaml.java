package io.vlitforge.endtoend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the YAML that {@code kubectl kustomize} prints into maps, lists and strings. Kustomize
 * normalises its output to block style (two-space maps, sequences at their key's indentation, no
 * comments, flow style only for empty {@code {}} and {@code []}), which this reader covers; the
 * module has no YAML library on its classpath. Anything outside that subset fails loudly.
 */
final class KustomizeYaml {

    private final List<String> lines;
    private int next;

    private KustomizeYaml(List<String> lines) {
        this.lines = lines;
    }

    /** Every document of a multi-document stream, as maps. */
    static List<Map<String, Object>> documents(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (String line : (text + "\n---").split("\n")) {
            if (line.equals("---")) {
                if (!current.isEmpty()) {
                    Object parsed = new KustomizeYaml(current).block(0);
                    if (!(parsed instanceof Map)) {
                        throw new IllegalArgumentException("a document that is not a map: " + current.get(0));
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = (Map<String, Object>) parsed;
                    documents.add(map);
                }
                current = new ArrayList<>();
            } else if (!line.isBlank() && !line.stripLeading().startsWith("#")) {
                current.add(line);
            }
        }
        return documents;
    }

    /** The value at a dotted path ({@code spec.template.spec}); list elements by index ({@code containers.0}). */
    static Object at(Object node, String path) {
        Object current = node;
        for (String part : path.split("\\.")) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(part);
            } else if (current instanceof List<?> list && part.chars().allMatch(Character::isDigit)) {
                int index = Integer.parseInt(part);
                current = index < list.size() ? list.get(index) : null;
            } else {
                return null;
            }
        }
        return current;
    }

    static String string(Object node, String path) {
        Object value = at(node, path);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String path) {
        Object value = at(node, path);
        return value instanceof List<?> ? (List<Object>) value : List.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String path) {
        Object value = at(node, path);
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
    }

    private Object block(int indent) {
        if (next >= lines.size()) {
            return null;
        }
        String line = lines.get(next);
        if (indentOf(line) == indent && line.substring(indent).startsWith("- ")) {
            return sequence(indent);
        }
        return mapping(indent);
    }

    private List<Object> sequence(int indent) {
        List<Object> items = new ArrayList<>();
        while (next < lines.size()) {
            String line = lines.get(next);
            if (indentOf(line) != indent || !line.substring(indent).startsWith("- ")) {
                break;
            }
            String content = line.substring(indent + 2);
            if (keyOf(content) != null) {
                // "- key: value" opens a map whose keys sit two columns further in.
                lines.set(next, " ".repeat(indent + 2) + content);
                items.add(mapping(indent + 2));
            } else {
                items.add(scalar(content));
                next++;
            }
        }
        return items;
    }

    private Map<String, Object> mapping(int indent) {
        Map<String, Object> map = new LinkedHashMap<>();
        while (next < lines.size()) {
            String line = lines.get(next);
            int lineIndent = indentOf(line);
            if (lineIndent < indent) {
                break;
            }
            if (lineIndent > indent || line.substring(indent).startsWith("- ")) {
                if (lineIndent == indent) {
                    break;
                }
                throw new IllegalArgumentException("unexpected indentation: '" + line + "'");
            }
            String content = line.substring(indent);
            String key = keyOf(content);
            if (key == null) {
                throw new IllegalArgumentException("not a 'key: value' line: '" + line + "'");
            }
            String rest = content.substring(key.length() + 1).strip();
            next++;
            if (rest.isEmpty()) {
                if (next < lines.size()) {
                    String child = lines.get(next);
                    int childIndent = indentOf(child);
                    boolean sequenceHere = childIndent == indent && child.substring(indent).startsWith("- ");
                    map.put(unquote(key), childIndent > indent || sequenceHere ? block(childIndent) : null);
                } else {
                    map.put(unquote(key), null);
                }
            } else if (rest.startsWith("|") || rest.startsWith(">")) {
                StringBuilder text = new StringBuilder();
                while (next < lines.size() && (lines.get(next).isBlank() || indentOf(lines.get(next)) > indent)) {
                    text.append(lines.get(next).strip()).append('\n');
                    next++;
                }
                map.put(unquote(key), text.toString());
            } else {
                map.put(unquote(key), scalar(rest));
            }
        }
        return map;
    }

    /** The key of a "key: value" or "key:" line, or null when the line is a plain scalar. */
    private static String keyOf(String content) {
        if (content.startsWith("\"") || content.startsWith("'")) {
            char quote = content.charAt(0);
            int end = content.indexOf(quote, 1);
            if (end > 0 && content.startsWith(":", end + 1)
                    && (content.length() == end + 2 || content.charAt(end + 2) == ' ')) {
                return content.substring(0, end + 1);
            }
            return null;
        }
        int colon = content.indexOf(": ");
        if (colon > 0) {
            return content.substring(0, colon);
        }
        return content.endsWith(":") ? content.substring(0, content.length() - 1) : null;
    }

    private static Object scalar(String text) {
        String value = text.strip();
        if (value.equals("{}")) {
            return new LinkedHashMap<String, Object>();
        }
        if (value.equals("[]")) {
            return new ArrayList<>();
        }
        if ((value.startsWith("{") || value.startsWith("[")) && value.length() > 2) {
            throw new IllegalArgumentException("flow collections are not expected in kustomize output: " + value);
        }
        return unquote(value);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return value.substring(1, value.length() - 1).replace("''", "'");
        }
        return value;
    }

    private static int indentOf(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
