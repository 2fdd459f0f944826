package io.ccf.ar.runtime.registry.oci;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed {@code oci://host[:port]/repo} (or {@code oci+http://...}) registry location.
 *
 * <p>{@code oci://} talks HTTPS, except to loopback hosts (localhost, 127.0.0.1, ::1), which get plain
 * HTTP as Docker treats them; {@code oci+http://} forces plain HTTP (a registry on a private network
 * without TLS). Package {@code sample} lives in repository {@code <repo>/sample}, tagged by version.
 */
public record OciLocation(URI location, boolean plainHttp, String authority, String repository) {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    // the distribution spec's repository name grammar (path components of lower-case alphanumerics and separators)
    private static final Pattern REPOSITORY = Pattern.compile(
            "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

    public OciLocation {
        Objects.requireNonNull(location, "location");
    }

    /** Parses and checks a registry URL; throws IllegalArgumentException saying what is wrong. */
    public static OciLocation parse(URI location) {
        Objects.requireNonNull(location, "location");
        String scheme = location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("oci") && !scheme.equals("oci+http")) {
            throw new IllegalArgumentException("not an OCI registry URL: " + location
                    + " (expected oci://host[:port]/repository or oci+http://host[:port]/repository)");
        }
        String host = location.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("OCI registry URL " + location + " has no host");
        }
        if (location.getQuery() != null || location.getFragment() != null || location.getUserInfo() != null) {
            throw new IllegalArgumentException("OCI registry URL " + location
                    + " must not carry user info, a query or a fragment");
        }
        String path = location.getPath() == null ? "" : location.getPath();
        String repository = path.replaceAll("^/+", "").replaceAll("/+$", "");
        if (!repository.isEmpty() && !REPOSITORY.matcher(repository).matches()) {
            throw new IllegalArgumentException("OCI registry URL " + location + ": \"" + repository
                    + "\" is not a valid repository path (lower-case letters, digits, '.', '_', '-', '/')");
        }
        boolean plain = scheme.equals("oci+http") || LOOPBACK.contains(host.toLowerCase(Locale.ROOT));
        String authority = location.getPort() < 0 ? host : host + ":" + location.getPort();
        return new OciLocation(location, plain, authority, repository);
    }

    /** The repository holding a package's versions: {@code <repo>/<package>}. */
    public String repositoryOf(String packageName) {
        String name = packageName.toLowerCase(Locale.ROOT);
        if (!REPOSITORY.matcher(name).matches()) {
            throw new IllegalArgumentException("package name \"" + packageName
                    + "\" cannot be an OCI repository name (lower-case letters, digits and single separators)");
        }
        return repository.isEmpty() ? name : repository + "/" + name;
    }

    /** Base of the registry's HTTP API, e.g. {@code http://127.0.0.1:5000}. */
    public URI apiBase() {
        return URI.create((plainHttp ? "http://" : "https://") + authority);
    }

    /** How a package version is named in messages and the lock file: {@code oci://host/repo/sample:1.0.0}. */
    public URI reference(String packageName, String tagOrDigest) {
        String sep = tagOrDigest.startsWith("sha256:") ? "@" : ":";
        String scheme = location.getScheme().toLowerCase(Locale.ROOT);
        return URI.create(scheme + "://" + authority + "/" + repositoryOf(packageName) + sep + tagOrDigest);
    }
}
