package io.ccf.ar.runtime.cli;

import io.ccf.ar.runtime.plugin.PackageRef;

/**
 * The {@code PACKAGE@VERSION} argument of registry commands, split at the first '@' (package names have
 * none; a pinned version has its own: {@code sample@1.0.0@sha256:<hex>}).
 */
record PackageTarget(String packageName, String version) {

    static PackageTarget parse(String target) {
        int at = target.indexOf('@');
        if (at <= 0 || at == target.length() - 1) {
            throw new IllegalArgumentException("expected PACKAGE@VERSION, got \"" + target + "\"");
        }
        return new PackageTarget(target.substring(0, at), target.substring(at + 1));
    }

    /** For commands that need one exact version (publish, uninstall); refuses ranges and names that are not plain. */
    PackageRef ref() {
        return new PackageRef(packageName, version);
    }
}
