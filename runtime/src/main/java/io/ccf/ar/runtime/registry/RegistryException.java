package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;

import java.net.URI;

/** A package could not be installed from (or verified against) the registry; names the package, version and URL. */
public final class RegistryException extends RuntimeException {
    private final PackageRef ref;
    private final URI url;

    public RegistryException(PackageRef ref, URI url, String message) {
        this(ref, url, message, null);
    }

    public RegistryException(PackageRef ref, URI url, String message, Throwable cause) {
        super(prefix(ref, url) + message, cause);
        this.ref = ref;
        this.url = url;
    }

    private static String prefix(PackageRef ref, URI url) {
        if (ref == null) {
            return url == null ? "" : "registry " + url + ": ";
        }
        return "package " + ref.name() + " version " + ref.version() + (url == null ? "" : " (" + url + ")") + ": ";
    }

    /** The package version concerned, or null when the failure is not about one (e.g. resolving a range). */
    public PackageRef ref() {
        return ref;
    }

    /** The URL that failed, or null when the failure was local. */
    public URI url() {
        return url;
    }
}
