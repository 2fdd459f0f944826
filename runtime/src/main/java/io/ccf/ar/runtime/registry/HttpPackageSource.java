package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.registry.auth.AuthorizedHttp;
import io.ccf.ar.runtime.registry.auth.CredentialException;
import io.ccf.ar.runtime.registry.auth.RegistryCredential;

/**
 * A static HTTP registry, the original's layout: {@code <registry>/<package>/<version>/<file>} plus
 * {@code <file>.sha256} (sha256sum format), where {@code <file>} is tried as {@code <package>} (an
 * executable) and then {@code <package>.jar}; optionally {@code <registry>/<package>/index.json}
 * ({@link RegistryIndex}) listing the versions, which version ranges need.
 *
 * <p>Every request has a deadline covering headers and body; 5xx, timeouts, connection errors and
 * truncated bodies are retried with backoff, a 404 or a checksum mismatch is not.
 */
public final class HttpPackageSource implements PackageSource {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int MAX_CHECKSUM_BYTES = 4096;
    private static final int MAX_INDEX_BYTES = 4 * 1024 * 1024;

    private final URI registry;
    private final DownloaderOptions options;
    private final HttpClient client;
    private final RegistryAccess access;
    private final IndexFreshness freshness;

    public HttpPackageSource(URI registry, DownloaderOptions options, HttpClient client) {
        this(registry, options, client, RegistryAccess.ANONYMOUS);
    }

    /**
     * With credentials (Basic or a bearer token, sent only to the registry's own origin: redirects are followed
     * here, and a redirect to another host, port or scheme goes without them) and trusted keys (then every index
     * must be signed by one of them and each file must have the SHA-256 the signed index lists). A given client
     * must not follow redirects itself when credentials are configured. Signed indexes are checked for rollback
     * against the serials this source has seen ({@link IndexFreshness#inMemory()}).
     */
    public HttpPackageSource(URI registry, DownloaderOptions options, HttpClient client, RegistryAccess access) {
        this(registry, options, client, access, IndexFreshness.inMemory());
    }

    /**
     * With {@code freshness}, which every signed index must pass after its signature (not expired, serial not
     * lower than one seen before, e.g. {@link IndexFreshness#in} the plugins directory).
     */
    public HttpPackageSource(URI registry, DownloaderOptions options, HttpClient client, RegistryAccess access,
                             IndexFreshness freshness) {
        Objects.requireNonNull(registry, "registry");
        this.freshness = Objects.requireNonNull(freshness, "freshness");
        String base = registry.toString();
        this.registry = URI.create(base.endsWith("/") ? base : base + "/");
        this.options = options == null ? DownloaderOptions.defaults() : options;
        this.client = client != null ? client : AuthorizedHttp.newClient(this.options.connectTimeout());
        this.access = access == null ? RegistryAccess.ANONYMOUS : access;
    }

    @Override
    public URI location() {
        return registry;
    }

    /** URL of one file of a package version in the registry. */
    public URI url(PackageRef ref, String fileName) {
        return registry.resolve(ref.name() + "/" + ref.version() + "/" + fileName);
    }

    public URI indexUrl(String packageName) {
        return registry.resolve(packageName + "/index.json");
    }

    @Override
    public List<String> versions(String packageName) {
        return index(null, packageName).versions().stream().map(RegistryIndex.Version::version).toList();
    }

    /** The package's index, its signature verified when trusted keys are configured. */
    private RegistryIndex index(PackageRef ref, String packageName) {
        URI url = indexUrl(packageName);
        boolean signed = !access.trustedKeys().isEmpty();
        for (int attempt = 1; ; attempt++) {
            Optional<byte[]> body = withRetries(ref, url, () -> fetchToMemory(ref, url, MAX_INDEX_BYTES));
            if (body.isEmpty()) {
                throw new RegistryException(ref, url, signed
                        ? "no index.json (404): registry.trustedKeys is set, so packages are installed only through a signed"
                        + " index; publish with `ar publish --sign-key`"
                        : "no index.json (404): a version range needs the registry's index;"
                        + " publish with `ar publish` or name an exact version");
            }
            if (signed) {
                URI sigUrl = registry.resolve(packageName + "/" + IndexSignature.SIGNATURE_FILE);
                Optional<byte[]> sig = withRetries(ref, sigUrl, () -> fetchToMemory(ref, sigUrl, MAX_CHECKSUM_BYTES));
                if (sig.isEmpty()) {
                    throw new RegistryException(ref, sigUrl, "index.json is not signed (no " + IndexSignature.SIGNATURE_FILE
                            + ", 404) but registry.trustedKeys requires a signature; publish with `ar publish --sign-key`");
                }
                try {
                    IndexSignature.verify(body.get(), sig.get(), access.trustedKeys());
                } catch (IllegalArgumentException e) {
                    if (attempt == 1 && e.getMessage().startsWith("bad signature")) {
                        continue; // the publisher may have renamed a new index.json in, and not yet its signature
                    }
                    throw new RegistryException(ref, url, "refusing index: " + e.getMessage(), e);
                }
            }
            try {
                RegistryIndex index = RegistryIndex.parse(body.get());
                if (!index.packageName().equals(packageName)) {
                    throw new RegistryException(ref, url, "index.json is for package \"" + index.packageName() + "\"");
                }
                if (signed) {
                    freshness.admit(registry, index);
                }
                return index;
            } catch (IOException e) {
                throw new RegistryException(ref, url, "malformed index.json: " + e.getMessage(), e);
            } catch (IndexFreshness.StaleIndex e) {
                throw new RegistryException(ref, url, "refusing index: " + e.getMessage(), e);
            }
        }
    }

    /**
     * With trusted keys: the file the signed index names for this version, checked against the SHA-256 listed
     * there (the {@code .sha256} beside it comes from the same server as the file, so it is not consulted).
     */
    private FetchedPackage fetchSigned(PackageRef ref, Optional<String> pinnedDigest, Path dir) {
        URI indexUrl = indexUrl(ref.name());
        RegistryIndex.Version entry = index(ref, ref.name()).version(ref.version()).orElseThrow(() ->
                new RegistryException(ref, indexUrl, "version " + ref.version() + " is not in the signed index"));
        String fileName = entry.file();
        if (!ref.name().equals(fileName) && !(ref.name() + ".jar").equals(fileName)) {
            throw new RegistryException(ref, indexUrl, "the signed index names file \"" + abbreviate(String.valueOf(fileName))
                    + "\" for this version; expected " + ref.name() + " or " + ref.name() + ".jar");
        }
        if (entry.sha256() == null || !SHA256_HEX.matcher(entry.sha256()).matches()) {
            throw new RegistryException(ref, indexUrl, "the signed index lists no SHA-256 for this version");
        }
        URI url = url(ref, fileName);
        Path target = dir.resolve(fileName);
        byte[] actual = withRetries(ref, url, () -> fetchToFile(ref, url, target)).orElseThrow(() ->
                new RegistryException(ref, url, "listed in the signed index but not found in registry (404)"));
        String hex = HexFormat.of().formatHex(actual);
        if (!hex.equalsIgnoreCase(entry.sha256())) {
            throw new RegistryException(ref, url, "checksum mismatch with the signed index: downloaded " + fileName
                    + " has SHA-256 " + hex + " but the index signed by a trusted key says " + entry.sha256().toLowerCase());
        }
        if (pinnedDigest.isPresent() && !pinnedDigest.get().equals("sha256:" + hex)) {
            throw new RegistryException(ref, url, "content differs from the pinned digest: " + fileName
                    + " has sha256:" + hex + " but the version is pinned to " + pinnedDigest.get());
        }
        return new FetchedPackage(fileName, hex, url, null);
    }

    @Override
    public FetchedPackage fetch(PackageRef ref, Optional<String> pinnedDigest, Path dir) {
        if (!access.trustedKeys().isEmpty()) {
            return fetchSigned(ref, pinnedDigest, dir);
        }
        String fileName = null;
        URI fileUrl = null;
        byte[] actual = null;
        for (String candidate : List.of(ref.name(), ref.name() + ".jar")) {
            URI url = url(ref, candidate);
            Path target = dir.resolve(candidate);
            Optional<byte[]> digest = withRetries(ref, url, () -> fetchToFile(ref, url, target));
            if (digest.isPresent()) {
                fileName = candidate;
                fileUrl = url;
                actual = digest.get();
                break;
            }
        }
        if (fileName == null) {
            throw new RegistryException(ref, url(ref, ref.name()),
                    "not found in registry (404 for both " + ref.name() + " and " + ref.name() + ".jar)");
        }

        URI sumUrl = url(ref, fileName + ".sha256");
        Optional<byte[]> sumBody = withRetries(ref, sumUrl, () -> fetchToMemory(ref, sumUrl, MAX_CHECKSUM_BYTES));
        if (sumBody.isEmpty()) {
            throw new RegistryException(ref, sumUrl, "checksum file missing (404); refusing unverified " + fileName);
        }
        byte[] expected = parseChecksum(ref, sumUrl, fileName, sumBody.get());
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new RegistryException(ref, fileUrl, "checksum mismatch: downloaded " + fileName + " has SHA-256 "
                    + HexFormat.of().formatHex(actual) + " but " + sumUrl + " says " + HexFormat.of().formatHex(expected));
        }
        String hex = HexFormat.of().formatHex(actual);
        if (pinnedDigest.isPresent() && !pinnedDigest.get().equals("sha256:" + hex)) {
            throw new RegistryException(ref, fileUrl, "content differs from the pinned digest: " + fileName
                    + " has sha256:" + hex + " but the version is pinned to " + pinnedDigest.get());
        }
        return new FetchedPackage(fileName, hex, fileUrl, null);
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws IOException, InterruptedException;
    }

    /** A failure worth retrying (5xx, timeout, connection trouble). */
    private static final class TransientFailure extends IOException {
        TransientFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private <T> T withRetries(PackageRef ref, URI url, Attempt<T> attempt) {
        int attempts = options.retries() + 1;
        long backoff = options.backoff().toMillis();
        IOException last = null;
        for (int i = 1; i <= attempts; i++) {
            try {
                return attempt.run();
            } catch (RegistryException e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException(ref, url, "interrupted", e);
            } catch (IOException e) {
                last = e;
            }
            if (i < attempts) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryException(ref, url, "interrupted while waiting to retry", e);
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        throw new RegistryException(ref, url, describe(last) + " (gave up after " + attempts
                + (attempts == 1 ? " attempt)" : " attempts)"), last);
    }

    private String describe(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timed out after " + options.timeout().toMillis() + " ms";
        }
        if (e instanceof TransientFailure) {
            return e.getMessage();
        }
        return "connection error: " + e;
    }

    /** Downloads url into target; returns its SHA-256, or empty on 404. */
    private Optional<byte[]> fetchToFile(PackageRef ref, URI url, Path target) throws IOException, InterruptedException {
        MessageDigest digest = TreeFiles.newSha256();
        try (OutputStream out = Files.newOutputStream(target)) {
            if (!fetch(ref, url, options.maxBodyBytes(), out, digest)) {
                Files.deleteIfExists(target);
                return Optional.empty();
            }
        }
        return Optional.of(digest.digest());
    }

    private Optional<byte[]> fetchToMemory(PackageRef ref, URI url, int limit) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return fetch(ref, url, limit, out, null) ? Optional.of(out.toByteArray()) : Optional.empty();
    }

    /**
     * GETs url and streams a 200 body to out (and digest). Returns false on 404; throws RegistryException
     * for a permanent failure and TransientFailure / IOException for a retryable one. The whole exchange,
     * body included, must finish within the configured timeout.
     */
    private boolean fetch(PackageRef ref, URI url, long limit, OutputStream out, MessageDigest digest)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        Optional<RegistryCredential> credential = credential(ref);
        HttpResponse<InputStream> response = AuthorizedHttp.send(client, url, "GET",
                u -> HttpRequest.newBuilder(u).GET().timeout(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))),
                credential.map(HttpPackageSource::header)).response();
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 404) {
                return false;
            }
            if (status >= 500) {
                throw new TransientFailure("HTTP " + status + " from registry", null);
            }
            if (status == 401 || status == 403) {
                throw new RegistryException(ref, url, "HTTP " + status + " from registry host " + AuthorizedHttp.hostKey(registry)
                        + (credential.isPresent() ? ": the credentials from " + credential.get().origin() + " were refused"
                        : ": it wants credentials; set registry.username + registry.passwordFile or registry.tokenFile"));
            }
            if (status != 200) {
                throw new RegistryException(ref, url, "unexpected HTTP " + status + " from registry");
            }
            try {
                BoundedBody.copy(body, response.headers().firstValueAsLong("Content-Length"), limit,
                        Duration.ofNanos(deadline - System.nanoTime()), out, digest);
            } catch (BoundedBody.TooLarge e) {
                throw new RegistryException(ref, url, e.getMessage());
            } catch (BoundedBody.Truncated e) {
                throw new TransientFailure(e.getMessage(), e);
            }
            return true;
        }
    }

    private Optional<RegistryCredential> credential(PackageRef ref) {
        try {
            return access.credentials().lookup(AuthorizedHttp.hostKey(registry));
        } catch (CredentialException e) {
            throw new RegistryException(ref, registry, e.getMessage(), e);
        }
    }

    private static String header(RegistryCredential credential) {
        if (credential instanceof RegistryCredential.Basic b) {
            return b.header();
        }
        if (credential instanceof RegistryCredential.Bearer b) {
            return b.header();
        }
        throw new IllegalArgumentException("a static registry takes a user name and password or a bearer token, not "
                + credential);
    }

    static byte[] parseChecksum(PackageRef ref, URI url, String fileName, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String firstLine = text.isEmpty() ? "" : text.lines().findFirst().orElse("").strip();
        String[] parts = firstLine.split("\\s+", 2);
        if (parts.length == 0 || !SHA256_HEX.matcher(parts[0]).matches()) {
            throw new RegistryException(ref, url, "malformed checksum file: expected \"<64 hex digits>  " + fileName
                    + "\", got \"" + abbreviate(firstLine) + "\"");
        }
        if (parts.length == 2) {
            String named = parts[1].strip();
            if (named.startsWith("*")) {
                named = named.substring(1);
            }
            if (!named.equals(fileName)) {
                throw new RegistryException(ref, url, "malformed checksum file: it names \"" + abbreviate(named)
                        + "\", not " + fileName);
            }
        }
        return HexFormat.of().parseHex(parts[0].toLowerCase());
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
