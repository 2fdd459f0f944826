package io.ccf.ar.runtime.config;

import java.util.Map;
import java.util.Objects;

/** Which plugin performs an activity ({@code provider:} in a plan) and its configuration. */
public record ProviderSpec(String name, String packageName, String version, Map<String, String> configuration) {
    public ProviderSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
        configuration = Map.copyOf(configuration);
    }
}
