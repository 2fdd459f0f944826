package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageLayout;
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
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Installs package versions from a static HTTP registry laid out like the plugins directory:
 * {@code <registry>/<package>/<version>/<file>} plus {@code <file>.sha256} (sha256sum format), where
 * {@code <file>} is tried as {@code <package>} (an executable) and then {@code <package>.jar}.
 *
 * <p>A download goes to {@code <pluginsDir>/.staging-<random>/<version>/}, is checked against its
 * .sha256, and the version directory is then renamed into place atomically; the staging directory is
 * removed whatever happens, so the plugins directory never holds a half-written package. The result
 * is recorded in {@link LockFile}. Installs of one ref are serialised (one download); different refs
 * run in parallel.
 */
public final class PackageDownloader {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int MAX_CHECKSUM_BYTES = 4096;
    private static final String STAGING_PREFIX = ".staging-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "registry-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final URI registry;
    private final PackageLayout layout;
    private final DownloaderOptions options;
    private final HttpClient client;
    private final LockFile lockFile;
    private final Map<PackageRef, ReentrantLock> refLocks = new ConcurrentHashMap<>();

    public PackageDownloader(URI registry, PackageLayout layout, DownloaderOptions options, HttpClient client) {
        Objects.requireNonNull(registry, "registry");
        String base = registry.toString();
        this.registry = URI.create(base.endsWith("/") ? base : base + "/");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.options = options == null ? DownloaderOptions.defaults() : options;
        this.client = client != null ? client : HttpClient.newBuilder()
                .connectTimeout(this.options.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.lockFile = new LockFile(layout);
    }

    public PackageDownloader(URI registry, Path pluginsDir, DownloaderOptions options, HttpClient client) {
        this(registry, new PackageLayout(pluginsDir), options, client);
    }

    public LockFile lockFile() {
        return lockFile;
    }

    /** URL of one file of a package version in the registry. */
    public URI url(PackageRef ref, String fileName) {
        return registry.resolve(ref.name() + "/" + ref.version() + "/" + fileName);
    }

    /**
     * Makes sure ref is installed: returns at once if the installed copy matches its lock entry,
     * otherwise downloads, verifies and installs it (replacing an installed copy that does not match).
     */
    public InstalledPackage install(PackageRef ref) {
        Objects.requireNonNull(ref, "ref");
        ReentrantLock lock = refLocks.computeIfAbsent(ref, r -> new ReentrantLock());
        lock.lock();
        try {
            Optional<InstalledPackage> current = installedAndValid(ref);
            if (current.isPresent()) {
                return current.get();
            }
            return download(ref);
        } finally {
            lock.unlock();
        }
    }

    private Optional<InstalledPackage> installedAndValid(PackageRef ref) {
        if (!Files.isDirectory(layout.versionDir(ref))) {
            return Optional.empty();
        }
        Optional<LockFile.Entry> entry = lockFile.get(ref);
        if (entry.isEmpty() || lockFile.check(ref).isPresent()) {
            return Optional.empty();
        }
        LockFile.Entry e = entry.get();
        URI source = e.source() == null ? null : URI.create(e.source());
        return Optional.of(new InstalledPackage(ref, layout.versionDir(ref).resolve(e.file()),
                e.sha256().toLowerCase(), source, false));
    }

    private InstalledPackage download(PackageRef ref) {
        Path pluginsDir = layout.pluginsDir();
        Path staging = null;
        try {
            Files.createDirectories(pluginsDir);
            staging = pluginsDir.resolve(STAGING_PREFIX + HexFormat.of().formatHex(randomBytes()));
            Path stagedVersion = staging.resolve(ref.version());
            Files.createDirectories(stagedVersion);

            String fileName = null;
            URI fileUrl = null;
            byte[] actual = null;
            for (String candidate : List.of(ref.name(), ref.name() + ".jar")) {
                URI url = url(ref, candidate);
                Path target = stagedVersion.resolve(candidate);
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
            Optional<byte[]> sumBody = withRetries(ref, sumUrl, () -> fetchToMemory(ref, sumUrl));
            if (sumBody.isEmpty()) {
                throw new RegistryException(ref, sumUrl, "checksum file missing (404); refusing unverified " + fileName);
            }
            byte[] expected = parseChecksum(ref, sumUrl, fileName, sumBody.get());
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new RegistryException(ref, fileUrl, "checksum mismatch: downloaded " + fileName + " has SHA-256 "
                        + HexFormat.of().formatHex(actual) + " but " + sumUrl + " says " + HexFormat.of().formatHex(expected));
            }

            Path staged = stagedVersion.resolve(fileName);
            if (!fileName.endsWith(".jar")) {
                makeExecutable(staged);
            }
            Path finalDir = layout.versionDir(ref);
            Files.createDirectories(finalDir.getParent());
            Path old = null;
            if (Files.exists(finalDir)) {
                // an installed copy that failed verification: move it aside (atomically) before replacing it
                old = staging.resolve("replaced");
                Files.move(finalDir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(stagedVersion, finalDir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (old != null && !Files.exists(finalDir)) {
                    Files.move(old, finalDir, StandardCopyOption.ATOMIC_MOVE);
                }
                throw e;
            }

            String hex = HexFormat.of().formatHex(actual);
            lockFile.put(ref, new LockFile.Entry(fileName, hex, fileUrl.toString(), Instant.now().toString()));
            return new InstalledPackage(ref, finalDir.resolve(fileName), hex, fileUrl, true);
        } catch (IOException e) {
            throw new RegistryException(ref, registry, "cannot install into " + pluginsDir + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    // ---- HTTP ----

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
        MessageDigest digest = LockFile.newSha256();
        try (OutputStream out = Files.newOutputStream(target)) {
            if (!fetch(ref, url, options.maxBodyBytes(), out, digest)) {
                Files.deleteIfExists(target);
                return Optional.empty();
            }
        }
        return Optional.of(digest.digest());
    }

    private Optional<byte[]> fetchToMemory(PackageRef ref, URI url) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return fetch(ref, url, MAX_CHECKSUM_BYTES, out, null) ? Optional.of(out.toByteArray()) : Optional.empty();
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
        AtomicBoolean timedOut = new AtomicBoolean();
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
            OptionalLong declared = response.headers().firstValueAsLong("Content-Length");
            if (declared.isPresent() && declared.getAsLong() > limit) {
                throw new RegistryException(ref, url, "body of " + declared.getAsLong()
                        + " bytes is larger than the limit of " + limit + " bytes");
            }
            long remaining = Math.max(0, deadline - System.nanoTime());
            ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                timedOut.set(true);
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing is only to unblock the reader
                }
            }, remaining, TimeUnit.NANOSECONDS);
            long count = 0;
            try {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = body.read(buf)) >= 0; ) {
                    if (timedOut.get()) {
                        break;
                    }
                    count += n;
                    if (count > limit) {
                        throw new RegistryException(ref, url, "body is larger than the limit of " + limit + " bytes");
                    }
                    out.write(buf, 0, n);
                    if (digest != null) {
                        digest.update(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                if (timedOut.get()) {
                    throw new HttpTimeoutException("body not received within " + options.timeout());
                }
                throw new TransientFailure("body truncated after " + count + " bytes"
                        + (declared.isPresent() ? " of " + declared.getAsLong() : "") + ": " + e, e);
            } finally {
                watchdog.cancel(false);
            }
            if (timedOut.get()) {
                throw new HttpTimeoutException("body not received within " + options.timeout());
            }
            if (declared.isPresent() && count != declared.getAsLong()) {
                throw new TransientFailure("body truncated: got " + count + " of " + declared.getAsLong()
                        + " bytes announced by Content-Length", null);
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

    // ---- files ----

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void makeExecutable(Path file) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.GROUP_EXECUTE);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(file, perms);
        } catch (UnsupportedOperationException e) {
            if (!file.toFile().setExecutable(true, false)) {
                throw new IOException("cannot make " + file + " executable");
            }
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // best effort: a leftover .staging-* directory is never mistaken for a package
        }
    }

}
