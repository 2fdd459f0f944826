package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;

/**
 * What the downloader tells the metrics (implemented by {@code io.ccf.ar.runtime.ops.RuntimeMetrics}): only real
 * downloads count, not versions already installed. Thread-safe and fast; {@link #NONE} records nothing.
 */
public interface DownloadMetrics {
    DownloadMetrics NONE = new DownloadMetrics() {
    };

    /** {@code ref} was downloaded, verified and installed. */
    default void downloaded(PackageRef ref) {
    }

    /** Downloading or installing {@code ref} failed. */
    default void downloadFailed(PackageRef ref) {
    }
}
