package io.ccf.ar.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code pluginHost} section: how plugin processes are launched and called.
 *
 * @param jvmOptions   JVM flags for Java plugins; empty Optional when not configured, so the plugin
 *                     host keeps its own default (an explicit {@code []} means "no flags")
 * @param startTimeout spawn to completed handshake, default 60s
 * @param callTimeout  deadline of every plugin call, default 60s
 * @param stopTimeout  grace between shutdown request and kill, default 2s
 */
public record PluginHostSettings(Optional<List<String>> jvmOptions, Duration startTimeout, Duration callTimeout,
        Duration stopTimeout) {
    public static final PluginHostSettings DEFAULTS = new PluginHostSettings(Optional.empty(),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(2));

    public PluginHostSettings {
        jvmOptions = Objects.requireNonNull(jvmOptions, "jvmOptions").map(List::copyOf);
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
    }
}
