package io.ccf.ar.runtime.plugin;

/** Checks a package before each launch (e.g. its hash against the lock file); throws to refuse it. */
@FunctionalInterface
public interface PackageVerifier {
    /** Accepts every package. */
    PackageVerifier NONE = pkg -> { };

    /** @throws RuntimeException with the reason when the package must not be launched */
    void verify(PluginPackage pkg);
}
