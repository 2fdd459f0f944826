package io.ccf.ar.runtime.cli;

import io.ccf.ar.runtime.plugin.PackageRef;

/** Parses the {@code PACKAGE@VERSION} argument of registry commands. */
final class PackageTarget {
    private PackageTarget() {
    }

    static PackageRef parse(String target) {
        int at = target.lastIndexOf('@');
        if (at <= 0 || at == target.length() - 1) {
            throw new IllegalArgumentException("expected PACKAGE@VERSION, got \"" + target + "\"");
        }
        return new PackageRef(target.substring(0, at), target.substring(at + 1));
    }
}
