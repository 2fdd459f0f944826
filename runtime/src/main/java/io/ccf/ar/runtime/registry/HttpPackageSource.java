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

    public HttpPackageSource(URI registry, DownloaderOptions options, HttpClient client) {
        Objects.requireNonNull(registry, "registry");
        String base = registry.toString();
        this.registry = URI.create(base.endsWith("/") ? base : base + "/");
        this.options = options == null ? DownloaderOptions.defaults() : options;
        this.client = client != null ? client : HttpClient.newBuilder()
                .connectTimeout(this.options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
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
        PackageRef probe = null; // no version yet: errors name the index URL, which names the package
        URI url = indexUrl(packageName);
        Optional<byte[]> body = withRetries(probe, url, () -> fetchToMemory(probe, url, MAX_INDEX_BYTES));
        if (body.isEmpty()) {
            throw new RegistryException(probe, url, "no index.json (404): a version range needs the registry's index;"
                    + " publish with `ar publish` or name an exact version");
        }
        try {
            RegistryIndex index = RegistryIndex.parse(body.get());
            if (!index.packageName().equals(packageName)) {
                throw new RegistryException(probe, url, "index.json is for package \"" + index.packageName() + "\"");
            }
            return index.versions().stream().map(RegistryIndex.Version::version).toList();
        } catch (IOException e) {
            throw new RegistryException(probe, url, "malformed index.json: " + e.getMessage(), e);
        }
    }

    @Override
    public FetchedPackage fetch(PackageRef ref, Optional<String> pinnedDigest, Path dir) {
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
        HttpRequest request = HttpRequest.newBuilder(url).GET().timeout(options.timeout()).build();
        long deadline = System.nanoTime() + options.timeout().toNanos();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 404) {
                return false;
            }
            if (status >= 500) {
                throw new TransientFailure("HTTP " + status + " from registry", null);
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
