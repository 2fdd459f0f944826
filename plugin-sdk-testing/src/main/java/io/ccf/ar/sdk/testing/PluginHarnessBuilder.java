package io.ccf.ar.sdk.testing;

import io.ccf.ar.proto.Plan;
import io.ccf.ar.sdk.PluginLog;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Configures a {@link PluginHarness} before it starts the plugin; get one from
 * {@link PluginHarness#forProvider}, {@link PluginHarness#forJar} or
 * {@link PluginHarness#forExecutable} and finish with {@link #start()}. Not thread-safe; a
 * builder may start several harnesses, each with what was set at its {@code start()}.
 */
public final class PluginHarnessBuilder {
    /** Options for a child JVM that starts fast (C1 only, serial GC), as the runtime's plugins run. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private final PluginTarget target;
    private final Map<String, String> configuration = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Set<String> unsetEnvironment = new LinkedHashSet<>();
    private final List<String> jvmOptions = new ArrayList<>(DEFAULT_JVM_OPTIONS);
    private String name;
    private Plan plan = Plan.getDefaultInstance();
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration callTimeout = Duration.ofSeconds(10);
    private Duration stopTimeout = Duration.ofSeconds(2);
    private boolean autoMtls = true;
    private PluginLog.Level logLevel = PluginLog.Level.DEBUG;
    private PrintStream echo;

    PluginHarnessBuilder(PluginTarget target) {
        this.target = target;
    }

    /**
     * Adds one configuration entry: sent in {@code Init} and in every {@code Evaluate} and
     * {@code Execute}, as the runtime sends a job's configuration.
     *
     * @param key the key, e.g. {@code "path"}
     * @param value its value
     * @return this builder
     */
    public PluginHarnessBuilder config(String key, String value) {
        configuration.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds configuration entries (see {@link #config(String, String)}).
     *
     * @param entries the entries to add
     * @return this builder
     */
    public PluginHarnessBuilder config(Map<String, String> entries) {
        entries.forEach(this::config);
        return this;
    }

    /**
     * The plan (ids of the plan, component, control, task, activity) sent in every
     * {@code Evaluate} and {@code Execute}; default: all ids empty.
     *
     * @param plan the plan
     * @return this builder
     */
    public PluginHarnessBuilder plan(Plan plan) {
        this.plan = Objects.requireNonNull(plan, "plan");
        return this;
    }

    /**
     * The plugin's name: {@code PluginName} in {@code Init}, and for
     * {@link PluginHarness#forProvider} the {@code @module} of its log lines. Default: the
     * provider's simple class name, the jar's base name or the executable's file name.
     *
     * @param name a short name
     * @return this builder
     */
    public PluginHarnessBuilder name(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name.strip();
        return this;
    }

    /**
     * Sets an environment variable of the plugin process (it inherits this JVM's
     * environment, then the go-plugin variables the harness sets).
     *
     * @param key the variable
     * @param value its value; {@code null} removes the variable from the inherited environment
     * @return this builder
     */
    public PluginHarnessBuilder env(String key, String value) {
        Objects.requireNonNull(key, "key");
        if (value == null) {
            environment.remove(key);
            unsetEnvironment.add(key);
        } else {
            unsetEnvironment.remove(key);
            environment.put(key, value);
        }
        return this;
    }

    /**
     * Replaces the options of the plugin's JVM (for {@link PluginHarness#forProvider} and
     * {@link PluginHarness#forJar}); default {@link #DEFAULT_JVM_OPTIONS}.
     *
     * @param options e.g. {@code "-Xmx256m"}
     * @return this builder
     */
    public PluginHarnessBuilder jvmOptions(String... options) {
        jvmOptions.clear();
        jvmOptions.addAll(List.of(options));
        return this;
    }

    /**
     * How long each {@code Evaluate} and {@code Execute} call may take before it fails with
     * {@code DEADLINE_EXCEEDED}; default 10 s. ({@code Init} is bounded by the start timeout,
     * {@code Shutdown} by the stop timeout.) Mind that the first call into a fresh JVM is
     * slower than the next ones.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public PluginHarnessBuilder callTimeout(Duration timeout) {
        this.callTimeout = positive(timeout, "callTimeout");
        return this;
    }

    /**
     * How long {@link #start()} may take from spawning the process to a handshake, a healthy
     * server and an answered {@code Init}; default 30 s.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public PluginHarnessBuilder startTimeout(Duration timeout) {
        this.startTimeout = positive(timeout, "startTimeout");
        return this;
    }

    /**
     * How long {@link PluginHarness#close()} waits for the plugin to exit after asking it to
     * stop, before killing it (and its child processes); default 2 s, as the runtime does.
     *
     * @param timeout a positive duration
     * @return this builder
     */
    public PluginHarnessBuilder stopTimeout(Duration timeout) {
        this.stopTimeout = positive(timeout, "stopTimeout");
        return this;
    }

    /**
     * Whether to negotiate go-plugin's auto-mTLS (default {@code true}, as the runtime does):
     * the harness sends its certificate in {@code PLUGIN_CLIENT_CERT} and talks TLS if the
     * plugin answers with its own. {@code false} talks plaintext.
     *
     * @param enabled {@code true} for auto-mTLS
     * @return this builder
     */
    public PluginHarnessBuilder autoMtls(boolean enabled) {
        this.autoMtls = enabled;
        return this;
    }

    /**
     * The plugin's log level ({@code AR_PLUGIN_LOG_LEVEL}, read by {@link PluginLog});
     * default {@link PluginLog.Level#DEBUG}, so that tests see debug lines too.
     *
     * @param level the lowest level the plugin writes
     * @return this builder
     */
    public PluginHarnessBuilder logLevel(PluginLog.Level level) {
        this.logLevel = Objects.requireNonNull(level, "level");
        return this;
    }

    /**
     * Copies every log line of the plugin to {@code out} as it arrives (prefixed with
     * {@code [plugin <name>] }); default: not copied, see {@link PluginHarness#logLines()}.
     *
     * @param out e.g. {@code System.err}
     * @return this builder
     */
    public PluginHarnessBuilder echoLogTo(PrintStream out) {
        this.echo = out;
        return this;
    }

    /**
     * Starts the plugin process, waits for its go-plugin handshake, connects, checks its
     * health and calls {@code Init} with the configuration (a plugin that does not implement
     * {@code Init} is fine).
     *
     * @return the running plugin; close it (try-with-resources) to stop the process
     * @throws PluginStartException if any step fails or the start timeout passes; the message
     *     says which step and ends with the plugin's stderr tail; no process is left running
     */
    public PluginHarness start() {
        String pluginName = name != null ? name : target.defaultName();
        return PluginHarness.start(target, new HarnessSettings(pluginName, configuration, plan, environment,
                unsetEnvironment, jvmOptions, startTimeout, callTimeout, stopTimeout, autoMtls, logLevel, echo));
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
        return d;
    }
}
