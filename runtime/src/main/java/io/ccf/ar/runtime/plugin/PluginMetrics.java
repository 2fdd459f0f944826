package io.ccf.ar.runtime.plugin;

/**
 * What the plugin host tells the metrics about plugin processes (implemented by
 * {@code io.ccf.ar.runtime.ops.RuntimeMetrics}). Thread-safe and fast; {@link #NONE} records nothing.
 */
public interface PluginMetrics {
    PluginMetrics NONE = new PluginMetrics() {
    };

    /** The child of {@code ref} is READY after {@code nanos} (spawn, handshake, Init); {@code restart}: not its first. */
    default void pluginStarted(PackageRef ref, boolean restart, long nanos) {
    }

    /** A start (or restart) of {@code ref} failed. */
    default void pluginStartFailed(PackageRef ref) {
    }

    /** The child of {@code ref} exited while it should have been running. */
    default void pluginExited(PackageRef ref) {
    }
}
