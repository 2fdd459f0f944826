package io.ccf.ar.runtime.config;

import java.util.List;
import java.util.Objects;

/** A label-selector expression ({@code key}, {@code operator}, {@code values}); passed to plugins as is. */
public record ExpressionSpec(String key, String operator, List<String> values) {
    public ExpressionSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(operator, "operator");
        values = List.copyOf(values);
    }
}
