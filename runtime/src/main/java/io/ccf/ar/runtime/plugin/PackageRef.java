package io.ccf.ar.runtime.plugin;

import java.util.Objects;
import java.util.regex.Pattern;

/** A package at one version, e.g. {@code sample@1.0.0}; one child process runs per PackageRef. */
public record PackageRef(String name, String version) {
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    public PackageRef {
        Objects.requireNonNull(name, "package name");
        Objects.requireNonNull(version, "package version");
        requirePlain("package name", name);
        requirePlain("package version", version);
    }

    /** Names become directory names: refuse anything that could escape the plugins directory. */
    private static void requirePlain(String what, String value) {
        if (!PLAIN_NAME.matcher(value).matches() || value.contains("..")) {
            throw new IllegalArgumentException(what + " \"" + value
                    + "\" is not a plain name (letters, digits, '.', '_', '+', '-'; no '/' or '..')");
        }
    }

    @Override
    public String toString() {
        return name + "@" + version;
    }
}
