package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where package versions come from: a static HTTP tree ({@code http(s)://}) or an OCI distribution
 * registry ({@code oci://}). A source only fetches and verifies; {@link PackageDownloader} stages,
 * installs atomically and records the lock entry.
 */
public interface PackageSource {

    /** The registry as configured, for messages and the lock file. */
    URI location();

    /**
     * The versions of a package the registry offers (any order), for resolving ranges such as {@code ^1.2};
     * throws {@link RegistryException} when the registry cannot tell (down, no index, not found).
     */
    List<String> versions(String packageName);

    /**
     * Downloads {@code ref} into {@code dir}, an empty directory that becomes the version directory, and
     * verifies it before returning. {@code pinnedDigest} ({@code sha256:<hex>}), when present, is the
     * content the caller insists on: for HTTP the SHA-256 of the package file, for OCI the manifest digest
     * (pulled by digest). Any failure throws {@link RegistryException} naming package, version and URL;
     * the caller deletes {@code dir} whatever happens.
     */
    FetchedPackage fetch(PackageRef ref, Optional<String> pinnedDigest, Path dir);

    /**
     * What {@link #fetch} put in the version directory.
     *
     * @param file   name of the runnable file inside the directory ({@code <package>} or {@code <package>.jar})
     * @param sha256 lower-case hex SHA-256 of that file
     * @param source the URL (or OCI reference) it came from
     * @param digest the OCI manifest digest ({@code sha256:<hex>}), or null for HTTP
     */
    record FetchedPackage(String file, String sha256, URI source, String digest) {
    }
}
