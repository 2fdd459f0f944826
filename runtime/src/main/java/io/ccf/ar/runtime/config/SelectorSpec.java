package io.ccf.ar.runtime.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which subjects an activity looks at; passed to the plugin, not interpreted by the runtime.
 * {@code title} and {@code description} exist because the original runtime's plans may carry them.
 */
public record SelectorSpec(String title, String description, String query, Map<String, String> labels,
        List<ExpressionSpec> expressions, List<String> ids) {
    public static final SelectorSpec EMPTY = new SelectorSpec("", "", "", Map.of(), List.of(), List.of());

    public SelectorSpec {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(query, "query");
        labels = Map.copyOf(labels);
        expressions = List.copyOf(expressions);
        ids = List.copyOf(ids);
    }
}
