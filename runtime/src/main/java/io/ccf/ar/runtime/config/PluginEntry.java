package io.ccf.ar.runtime.config;

import java.util.Map;
import java.util.Objects;

/**
 * One entry of {@code plugins:} in config.yml, the simple form: run this plugin on this schedule.
 *
 * @param packageName   the {@code package} key (a Java keyword, hence the name)
 * @param configuration values as written in the file, numbers and booleans included
 */
public record PluginEntry(String name, String packageName, String version, String schedule,
        Map<String, String> configuration) {
    public PluginEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(schedule, "schedule");
        configuration = Map.copyOf(configuration);
    }
}
