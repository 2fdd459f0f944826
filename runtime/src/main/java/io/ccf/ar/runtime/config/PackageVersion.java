package io.ccf.ar.runtime.config;

import java.util.Objects;

/** A plugin package at one version that some job needs; maps one-to-one onto the plugin host's PackageRef. */
public record PackageVersion(String packageName, String version) {
    public PackageVersion {
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(version, "version");
    }

    @Override
    public String toString() {
        return packageName + "@" + version;
    }
}
