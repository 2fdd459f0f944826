package io.ccf.ar.runtime.plugin;

/**
 * Finds the runnable file of a package version: {@link PackageLayout} in a plugins directory, {@link PluginFile}
 * for one file named on the command line ({@code ar run-plugin}).
 */
@FunctionalInterface
public interface PackageResolver {
    /** The package's file and how to launch it; {@link PluginNotFoundException} saying what was looked for. */
    PluginPackage resolve(PackageRef ref);
}
