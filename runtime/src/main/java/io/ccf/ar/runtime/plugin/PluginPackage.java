package io.ccf.ar.runtime.plugin;

import java.nio.file.Path;

/** A package version found on disk and how to launch it. */
public record PluginPackage(PackageRef ref, Path file, Kind kind) {

    /** How the plugin file is started. */
    public enum Kind {
        /** A native executable (Go plugins), run directly. */
        EXECUTABLE,
        /** A Java plugin, run with the runtime's own {@code java -jar}. */
        JAR
    }
}
