package io.ccf.ar.sdk;

import io.ccf.ar.sdk.internal.Hclog;
import io.ccf.ar.sdk.internal.StderrSink;

/**
 * A tiny structured logger for plugin code, in the format the assessment runtime
 * (and any Go go-plugin host) understands: every call writes one hclog JSON
 * object on one line to the process's real stderr, for example
 *
 * <pre>{@code {"@level":"info","@message":"checked subject","@module":"busy","@timestamp":"2025-01-02T15:04:05.123456Z","subject":"vm-1","ms":12}}</pre>
 *
 * <p>The host shows each line at its level, tagged with the plugin's name and
 * the fields. Use it instead of {@code System.out}/{@code System.err} and
 * instead of a logging framework (which would slow the plugin's start):
 *
 * <pre>{@code
 * private static final PluginLog LOG = PluginLog.get();
 * ...
 * LOG.info("checked subject", "subject", subject.getId(), "ms", 12);
 * LOG.error("cannot reach API", "url", url, "error", e);
 * }</pre>
 *
 * <p><b>Fields</b> are given as alternating keys and values after the message.
 * Keys are converted with {@link String#valueOf(Object)}. Values that are
 * {@link Number}s (finite) and {@link Boolean}s are written as JSON numbers and
 * booleans, {@code null} as JSON null, everything else (a {@link Throwable}
 * included) as the string of its {@code toString()}. An odd value left at the
 * end is kept under the key {@code EXTRA_VALUE_AT_END}, as hclog does.
 *
 * <p><b>Level threshold</b>: lines below the level named by the environment
 * variable {@code AR_PLUGIN_LOG_LEVEL} ({@code trace}, {@code debug},
 * {@code info}, {@code warn}, {@code error}; default {@code info}) are dropped
 * without being formatted. Use {@link #isEnabled(Level)} to skip computing
 * expensive fields.
 *
 * <p><b>Module</b>: {@code @module} is the plugin's name (set with
 * {@link PluginServer.Builder#name(String)}; by default the jar's base name or
 * the main class's simple name), read when each line is written, so a logger
 * kept in a static field picks the name up even if it was created before the
 * server was configured. {@link #named(String)} adds a sub-module
 * ({@code busy.inventory}).
 *
 * <p>Instances are immutable and thread-safe; lines from different threads
 * never interleave.
 */
public final class PluginLog {

    /** The five hclog levels, lowest first. */
    public enum Level {
        /** Very detailed tracing. */
        TRACE,
        /** Diagnostic detail. */
        DEBUG,
        /** Normal events. */
        INFO,
        /** Something unexpected that the plugin recovered from. */
        WARN,
        /** An operation failed. */
        ERROR
    }

    private static final PluginLog ROOT = new PluginLog(null);

    private final String subModule;

    private PluginLog(String subModule) {
        this.subModule = subModule;
    }

    /**
     * The plugin's logger; its {@code @module} is the plugin's name.
     *
     * @return the shared root logger
     */
    public static PluginLog get() {
        return ROOT;
    }

    /**
     * A logger for a part of the plugin: its {@code @module} is
     * {@code <plugin name>.<name>} (nested calls add further parts).
     *
     * @param name the sub-module name, e.g. {@code "inventory"}
     * @return a new logger; cheap, keep it in a field
     */
    public PluginLog named(String name) {
        if (name == null || name.isBlank()) {
            return this;
        }
        return new PluginLog(subModule == null ? name : subModule + "." + name);
    }

    /**
     * The {@code @module} this logger writes now.
     *
     * @return the plugin's name, plus the sub-module if any
     */
    public String module() {
        String root = Hclog.rootModule();
        return subModule == null ? root : root + "." + subModule;
    }

    /**
     * The threshold in force for every logger in this process, from
     * {@code AR_PLUGIN_LOG_LEVEL} (default {@link Level#INFO}).
     *
     * @return the lowest level that is written
     */
    public static Level threshold() {
        return Level.values()[Hclog.threshold()];
    }

    /**
     * Whether a line at {@code level} would be written.
     *
     * @param level the level to check
     * @return {@code true} if {@code level} is at or above {@link #threshold()}
     */
    public boolean isEnabled(Level level) {
        return level.ordinal() >= Hclog.threshold();
    }

    /**
     * Writes one line at {@code level} if it is enabled.
     *
     * @param level the line's level
     * @param message the {@code @message}
     * @param keyValues alternating field keys and values (see the class comment)
     */
    public void log(Level level, String message, Object... keyValues) {
        if (level.ordinal() >= Hclog.threshold()) {
            StderrSink.write(Hclog.line(level.ordinal(), module(), message, keyValues));
        }
    }

    /**
     * Logs at {@link Level#TRACE}.
     *
     * @param message the {@code @message}
     * @param keyValues alternating field keys and values
     */
    public void trace(String message, Object... keyValues) {
        log(Level.TRACE, message, keyValues);
    }

    /**
     * Logs at {@link Level#DEBUG}.
     *
     * @param message the {@code @message}
     * @param keyValues alternating field keys and values
     */
    public void debug(String message, Object... keyValues) {
        log(Level.DEBUG, message, keyValues);
    }

    /**
     * Logs at {@link Level#INFO}.
     *
     * @param message the {@code @message}
     * @param keyValues alternating field keys and values
     */
    public void info(String message, Object... keyValues) {
        log(Level.INFO, message, keyValues);
    }

    /**
     * Logs at {@link Level#WARN}.
     *
     * @param message the {@code @message}
     * @param keyValues alternating field keys and values
     */
    public void warn(String message, Object... keyValues) {
        log(Level.WARN, message, keyValues);
    }

    /**
     * Logs at {@link Level#ERROR}.
     *
     * @param message the {@code @message}
     * @param keyValues alternating field keys and values; pass the exception as
     *     a value (e.g. {@code "error", e}) to record its {@code toString()}
     */
    public void error(String message, Object... keyValues) {
        log(Level.ERROR, message, keyValues);
    }
}
