package io.ccf.ar.runtime.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the fields of one mapping, reporting (not throwing) unknown and duplicate keys, wrong
 * types and missing required values, each with the field's full path such as {@code plugins[0].name}.
 * Accessors always return something usable so validation can go on and find the next problem.
 */
final class MappingReader {
    private final Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
    private final Position position;
    private final String path;
    private final ProblemCollector problems;
    /** False when the node was not a mapping at all: its fields are then not reported as missing too. */
    private final boolean reportMissing;

    private MappingReader(ConfigNode.Mapping mapping, Position position, String path, ProblemCollector problems,
            List<String> allowedKeys, boolean reportMissing) {
        this.position = position;
        this.path = path;
        this.problems = problems;
        this.reportMissing = reportMissing;
        if (mapping == null) {
            return;
        }
        for (ConfigNode.Entry entry : mapping.entries()) {
            ConfigNode.Entry first = entries.get(entry.key());
            if (first != null) {
                problems.add(entry.keyPosition(), join(path, entry.key()),
                        "duplicate key \"" + entry.key() + "\"" + firstAt(first.keyPosition()));
            } else if (allowedKeys != null && !allowedKeys.contains(entry.key())) {
                problems.add(entry.keyPosition(), join(path, entry.key()), unknownKey(entry.key(), allowedKeys));
            } else {
                entries.put(entry.key(), entry);
            }
        }
    }

    /**
     * A reader over {@code node}, which should be a mapping. Null (absent) reads as an empty mapping;
     * any other type is reported and also reads as empty.
     *
     * @param allowedKeys the keys this mapping may have, in the order to list them; null allows any key
     */
    static MappingReader of(ConfigNode node, String path, List<String> allowedKeys, ProblemCollector problems) {
        if (node instanceof ConfigNode.Mapping mapping) {
            return new MappingReader(mapping, mapping.position(), path, problems, allowedKeys, true);
        }
        if (node == null || node instanceof ConfigNode.Null) {
            Position at = node == null ? Position.UNKNOWN : node.position();
            return new MappingReader(null, at, path, problems, allowedKeys, true);
        }
        problems.add(node.position(), path, "expected a mapping, got " + node.describe());
        return new MappingReader(null, node.position(), path, problems, allowedKeys, false);
    }

    String path() {
        return path;
    }

    String path(String key) {
        return join(path, key);
    }

    Position position() {
        return position;
    }

    /** The value's position if present, else the mapping's: where a user would add the missing key. */
    Position positionOf(String key) {
        ConfigNode value = get(key);
        return value != null ? value.position() : position;
    }

    /** The value under {@code key}, or null when absent or explicitly null. */
    ConfigNode get(String key) {
        ConfigNode.Entry entry = entries.get(key);
        return entry == null || entry.value() instanceof ConfigNode.Null ? null : entry.value();
    }

    boolean has(String key) {
        return get(key) != null;
    }

    List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    String string(String key, String fallback) {
        String text = scalarText(get(key), path(key));
        return text == null ? fallback : text;
    }

    /** The value, or "" after reporting it as required; blank counts as missing. */
    String requiredString(String key) {
        ConfigNode value = get(key);
        String text = scalarText(value, path(key));
        if (text == null) {
            if (value == null && reportMissing) {
                problems.add(position, path(key), "is required");
            }
            return "";
        }
        if (text.isBlank()) {
            problems.add(value.position(), path(key), "must not be empty");
        }
        return text;
    }

    /** A whole number, or {@code fallback} (after a report when the value is not one). */
    int integer(String key, int fallback) {
        ConfigNode value = get(key);
        String text = scalarText(value, path(key));
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            problems.add(value.position(), path(key), "must be a whole number, got \"" + text + "\"");
            return fallback;
        }
    }

    /** The items of a list value; absent reads as empty, another type is reported. */
    List<ConfigNode> list(String key) {
        ConfigNode value = get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof ConfigNode.Sequence sequence) {
            return sequence.items();
        }
        problems.add(value.position(), path(key), "expected a list, got " + value.describe());
        return List.of();
    }

    /** A list of plain values, e.g. {@code ids: [a, b]}. Null items are reported. */
    List<String> stringList(String key) {
        List<String> result = new ArrayList<>();
        List<ConfigNode> items = list(key);
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            String itemPath = path(key) + "[" + i + "]";
            String text = scalarText(item, itemPath);
            if (text != null) {
                result.add(text);
            } else if (item instanceof ConfigNode.Null) {
                problems.add(item.position(), itemPath, "must not be null");
            }
        }
        return result;
    }

    /**
     * A flat map of plain values such as {@code configuration} or {@code labels}. Numbers and
     * booleans stay as written; a null value becomes "" (as Go's yaml decoding into a string did);
     * a nested mapping or list is reported.
     */
    Map<String, String> stringMap(String key) {
        MappingReader map = child(key, null);
        Map<String, String> result = new LinkedHashMap<>();
        for (String k : map.keys()) {
            ConfigNode value = map.get(k);
            String text = value == null ? "" : scalarText(value, map.path(k));
            if (text != null) {
                result.put(k, text);
            }
        }
        return result;
    }

    /** The nested mapping under {@code key}; absent reads as empty. */
    MappingReader child(String key, List<String> allowedKeys) {
        ConfigNode value = get(key);
        if (value == null) {
            return new MappingReader(null, position, path(key), problems, allowedKeys, reportMissing);
        }
        return of(value, path(key), allowedKeys, problems);
    }

    ProblemCollector problems() {
        return problems;
    }

    /** Scalar text; null for absent/null; reports (and returns null for) a mapping or list. */
    private String scalarText(ConfigNode value, String fieldPath) {
        if (value instanceof ConfigNode.Scalar scalar) {
            return scalar.text();
        }
        if (value == null || value instanceof ConfigNode.Null) {
            return null;
        }
        problems.add(value.position(), fieldPath,
                "expected a plain value (string, number or boolean), got " + value.describe());
        return null;
    }

    static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String firstAt(Position first) {
        return first.isKnown() ? " (first at line " + first.line() + ")" : "";
    }

    /** "plugins[0] at line 4", or just the path when the source has no lines. */
    static String describeLocation(String fieldPath, Position at) {
        return at.isKnown() ? fieldPath + " at line " + at.line() : fieldPath;
    }

    private static String unknownKey(String key, List<String> allowedKeys) {
        StringBuilder sb = new StringBuilder("unknown key \"").append(key).append('"');
        String suggestion = KeySuggestion.closest(key, allowedKeys);
        if (suggestion != null) {
            sb.append(" (did you mean \"").append(suggestion).append("\"?)");
        }
        return sb.append("; allowed keys: ").append(String.join(", ", allowedKeys)).toString();
    }
}
