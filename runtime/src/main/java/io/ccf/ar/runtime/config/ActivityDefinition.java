package io.ccf.ar.runtime.config;

import java.util.Map;
import java.util.Objects;

/**
 * One activity of a compiled job: which plugin to call and with what. A simple-form plugin entry
 * compiles to one of these with the plugin's name as id and provider and an empty selector.
 */
public record ActivityDefinition(String id, String title, SelectorSpec selector, String providerName,
        String packageName, String version, Map<String, String> configuration) {
    public ActivityDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(providerName, "providerName");
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
        configuration = Map.copyOf(configuration);
    }

    public PackageVersion packageVersion() {
        return new PackageVersion(packageName, version);
    }
}
