package io.ccf.ar.runtime.plugin;

import java.util.Map;
import java.util.Objects;

/**
 * A configured plugin: a name jobs refer to, the package version that implements it and its
 * configuration. Several plugins may share one package version (and so one child process).
 */
public record PluginSpec(String name, PackageRef pkg, Map<String, String> configuration) {
    public PluginSpec {
        Objects.requireNonNull(name, "plugin name");
        Objects.requireNonNull(pkg, "plugin package");
        if (name.isBlank()) {
            throw new IllegalArgumentException("plugin name must not be blank");
        }
        configuration = Map.copyOf(configuration == null ? Map.of() : configuration);
    }

    public PluginSpec(String name, String packageName, String version, Map<String, String> configuration) {
        this(name, new PackageRef(packageName, version), configuration);
    }
}
