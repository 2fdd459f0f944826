package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.ccf.ar.runtime.plugin.PluginEnvironment;

/**
 * The {@code pluginHost} section: how plugin processes are launched and called.
 *
 * @param jvmOptions   JVM flags for Java plugins; empty Optional when not configured, so the plugin
 *                     host keeps its own default (an explicit {@code []} means "no flags")
 * @param startTimeout spawn to completed handshake, default 60s
 * @param callTimeout  deadline of every plugin call, default 60s
 * @param stopTimeout  grace between shutdown request and kill, default 2s
 * @param maxMessageSize the largest gRPC message the host accepts from a plugin, in bytes, default 64MiB
 * @param autoMTLS     go-plugin AutoMTLS with every plugin, default true
 * @param environment  which variables of the runtime plugins inherit, default all (as go-plugin)
 * @param java         the java executable for Java plugins; empty: the runtime's own. One of JDK 25 or later
 *                     runs plugins with the AOT cache trained for their jar, when there is one
 */
public record PluginHostSettings(Optional<List<String>> jvmOptions, Duration startTimeout, Duration callTimeout,
        Duration stopTimeout, long maxMessageSize, boolean autoMTLS, PluginEnvironment environment,
        Optional<Path> java) {
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64L << 20;
    /** The smallest accepted value; the largest is 2^31-1 bytes, gRPC's own bound. */
    public static final long MIN_MAX_MESSAGE_SIZE = 1024;
    public static final PluginHostSettings DEFAULTS = new PluginHostSettings(Optional.empty(),
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(2), DEFAULT_MAX_MESSAGE_SIZE, true,
            PluginEnvironment.INHERIT_ALL, Optional.empty());

    /** Without maxMessageSize: the default. */
    public PluginHostSettings(Optional<List<String>> jvmOptions, Duration startTimeout, Duration callTimeout,
            Duration stopTimeout) {
        this(jvmOptions, startTimeout, callTimeout, stopTimeout, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** Without autoMTLS and environment: the defaults. */
    public PluginHostSettings(Optional<List<String>> jvmOptions, Duration startTimeout, Duration callTimeout,
            Duration stopTimeout, long maxMessageSize) {
        this(jvmOptions, startTimeout, callTimeout, stopTimeout, maxMessageSize, true, PluginEnvironment.INHERIT_ALL);
    }

    /** Without java: the runtime's own. */
    public PluginHostSettings(Optional<List<String>> jvmOptions, Duration startTimeout, Duration callTimeout,
            Duration stopTimeout, long maxMessageSize, boolean autoMTLS, PluginEnvironment environment) {
        this(jvmOptions, startTimeout, callTimeout, stopTimeout, maxMessageSize, autoMTLS, environment, Optional.empty());
    }

    public PluginHostSettings {
        jvmOptions = Objects.requireNonNull(jvmOptions, "jvmOptions").map(List::copyOf);
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(java, "java");
        if (maxMessageSize < MIN_MAX_MESSAGE_SIZE || maxMessageSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxMessageSize must be " + MIN_MAX_MESSAGE_SIZE + " to "
                    + Integer.MAX_VALUE + " bytes, got " + maxMessageSize);
        }
    }
}
