package io.ccf.ar.runtime.registry;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/** Picks the {@link PackageSource} for a {@code pluginRegistryURL} by its scheme. */
public final class PackageSources {
    /** The schemes a registry URL may have. */
    public static final Set<String> SCHEMES = Set.of("http", "https", "oci", "oci+http");

    private PackageSources() {
    }

    /** Throws IllegalArgumentException naming the supported schemes for anything else. */
    public static PackageSource open(URI registry, DownloaderOptions options) {
        return open(registry, options, RegistryAccess.ANONYMOUS);
    }

    /** With credentials and trusted keys ({@link RegistryAccess#from}). */
    public static PackageSource open(URI registry, DownloaderOptions options, RegistryAccess access) {
        return open(registry, options, access, IndexFreshness.inMemory());
    }

    /** With the rule signed static indexes must pass beyond their signature (serial, expiry; ignored for OCI). */
    public static PackageSource open(URI registry, DownloaderOptions options, RegistryAccess access,
                                     IndexFreshness freshness) {
        String scheme = registry.getScheme() == null ? "" : registry.getScheme().toLowerCase(Locale.ROOT);
        return switch (scheme) {
            case "http", "https" -> new HttpPackageSource(registry, options, null, access, freshness);
            case "oci", "oci+http" -> new OciPackageSource(registry, options, access);
            default -> throw new IllegalArgumentException("plugin registry " + registry + ": unsupported scheme \""
                    + scheme + "\" (use http://, https:// for a static registry or oci:// for an OCI registry)");
        };
    }
}
