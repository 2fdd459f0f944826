package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;

import java.net.URI;
import java.nio.file.Path;

/**
 * A package version present in the plugins directory.
 *
 * @param file       the runnable file ({@code <package>} executable or {@code <package>.jar})
 * @param sha256     lower-case hex SHA-256 of {@code file}
 * @param source     the URL it was downloaded from (from the lock file when not downloaded now)
 * @param downloaded true when this call fetched it, false when the installed copy was already valid
 */
public record InstalledPackage(PackageRef ref, Path file, String sha256, URI source, boolean downloaded) {
}
