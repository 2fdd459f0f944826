package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs package versions from a {@link PackageSource} into the plugins directory.
 *
 * <p>A download goes to {@code <pluginsDir>/.staging-<pid>-<random>/<version>/}, is verified by the
 * source, and the version directory is then renamed into place atomically; the staging directory is
 * removed whatever happens, and staging directories left by a process that died are swept on first use,
 * so the plugins directory never holds a half-written package. The result is recorded in
 * {@link LockFile}. Installs of one ref are serialised, within this process by a lock and across
 * processes (two daemons, or {@code ar install} beside a daemon) by a file lock; different refs run in
 * parallel.
 */
public final class PackageDownloader {
    private static final Logger log = LoggerFactory.getLogger(PackageDownloader.class);
    private static final String STAGING_PREFIX = ".staging-";
    /** Holds the lock files that coordinate installs across processes; never a package (starts with '.'). */
    public static final String LOCKS_DIR = ".locks";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PackageSource source;
    private final PackageLayout layout;
    private final LockFile lockFile;
    /** Keyed by lock-file path: downloaders of one plugins directory in this JVM share them. */
    private static final Map<Path, ReentrantLock> REF_LOCKS = new ConcurrentHashMap<>();
    private final AtomicBoolean swept = new AtomicBoolean();
    private final DownloadMetrics metrics;

    public PackageDownloader(PackageSource source, PackageLayout layout) {
        this(source, layout, DownloadMetrics.NONE);
    }

    public PackageDownloader(PackageSource source, PackageLayout layout, DownloadMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.source = Objects.requireNonNull(source, "source");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.lockFile = new LockFile(layout);
    }

    /** A downloader for a static HTTP registry (the original's layout). */
    public PackageDownloader(URI registry, PackageLayout layout, DownloaderOptions options, HttpClient client) {
        this(new HttpPackageSource(registry, options, client), layout);
    }

    public PackageDownloader(URI registry, Path pluginsDir, DownloaderOptions options, HttpClient client) {
        this(registry, new PackageLayout(pluginsDir), options, client);
    }

    public LockFile lockFile() {
        return lockFile;
    }

    /**
     * Makes sure ref is installed: returns at once if the installed copy matches its lock entry,
     * otherwise downloads, verifies and installs it (replacing an installed copy that does not match).
     */
    public InstalledPackage install(PackageRef ref) {
        return install(ref, Optional.empty());
    }

    /**
     * Like {@link #install(PackageRef)}, and the content must match {@code pinnedDigest} ({@code sha256:<hex>}):
     * an installed copy with other content is replaced by a download that must match it.
     */
    public InstalledPackage install(PackageRef ref, Optional<String> pinnedDigest) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(pinnedDigest, "pinnedDigest");
        sweepAbandonedStaging();
        Path lockPath = layout.pluginsDir().resolve(LOCKS_DIR).resolve("install-" + ref.name() + "@" + ref.version() + ".lock");
        ReentrantLock lock = REF_LOCKS.computeIfAbsent(lockPath, r -> new ReentrantLock());
        lock.lock();
        try (InstallLock ignored = InstallLock.acquire(lockPath)) {
            Optional<InstalledPackage> current = installedAndValid(ref, pinnedDigest);
            if (current.isPresent()) {
                return current.get();
            }
            try {
                InstalledPackage installed = download(ref, pinnedDigest);
                metrics.downloaded(ref);
                return installed;
            } catch (RuntimeException e) {
                metrics.downloadFailed(ref);
                throw e;
            }
        } catch (IOException e) {
            throw new RegistryException(ref, null, "cannot lock " + layout.pluginsDir() + " for installing: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes an installed version and its lock entry, under the same locks as an install (so it never
     * races one). The directory is first renamed aside, so a half-deleted package is never visible.
     * Returns false when the version was not installed. A daemon already running it keeps its process
     * until it stops; the next launch reports the package as not installed.
     */
    public static boolean uninstall(PackageLayout layout, PackageRef ref) {
        LockFile lockFile = new LockFile(layout);
        Path lockPath = layout.pluginsDir().resolve(LOCKS_DIR).resolve("install-" + ref.name() + "@" + ref.version() + ".lock");
        ReentrantLock lock = REF_LOCKS.computeIfAbsent(lockPath, r -> new ReentrantLock());
        lock.lock();
        try (InstallLock ignored = InstallLock.acquire(lockPath)) {
            Path dir = layout.versionDir(ref);
            boolean present = Files.isDirectory(dir);
            if (present) {
                Path aside = layout.pluginsDir().resolve(STAGING_PREFIX + ProcessHandle.current().pid() + "-"
                        + HexFormat.of().formatHex(randomBytes()));
                Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
                TreeFiles.deleteTree(aside);
            }
            boolean recorded = lockFile.get(ref).isPresent();
            lockFile.remove(ref);
            return present || recorded;
        } catch (IOException e) {
            throw new RegistryException(ref, null, "cannot remove from " + layout.pluginsDir() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** The installed copy when it is intact per the lock file and matches the pin; else empty. */
    private Optional<InstalledPackage> installedAndValid(PackageRef ref, Optional<String> pinnedDigest) {
        if (!Files.isDirectory(layout.versionDir(ref))) {
            return Optional.empty();
        }
        Optional<LockFile.Entry> entry = lockFile.get(ref);
        if (entry.isEmpty() || lockFile.check(ref).isPresent()) {
            return Optional.empty();
        }
        LockFile.Entry e = entry.get();
        if (pinnedDigest.isPresent() && !e.matchesDigest(pinnedDigest.get())) {
            log.atInfo().addKeyValue("package", ref.name()).addKeyValue("version", ref.version())
                    .addKeyValue("pinned", pinnedDigest.get())
                    .log("installed copy does not match the pinned digest; fetching the pinned content");
            return Optional.empty();
        }
        URI source = e.source() == null ? null : URI.create(e.source());
        return Optional.of(new InstalledPackage(ref, layout.versionDir(ref).resolve(e.file()),
                e.sha256().toLowerCase(), source, false));
    }

    private InstalledPackage download(PackageRef ref, Optional<String> pinnedDigest) {
        Path pluginsDir = layout.pluginsDir();
        Path staging = null;
        try {
            Files.createDirectories(pluginsDir);
            staging = pluginsDir.resolve(STAGING_PREFIX + ProcessHandle.current().pid() + "-"
                    + HexFormat.of().formatHex(randomBytes()));
            Path stagedVersion = staging.resolve(ref.version());
            Files.createDirectories(stagedVersion);

            PackageSource.FetchedPackage fetched = source.fetch(ref, pinnedDigest, stagedVersion);
            Path staged = stagedVersion.resolve(fetched.file());
            if (!Files.isRegularFile(staged)) {
                throw new RegistryException(ref, fetched.source(), "the registry's package has no file " + fetched.file());
            }
            if (!fetched.file().endsWith(".jar")) {
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

            lockFile.put(ref, new LockFile.Entry(fetched.file(), fetched.sha256(), fetched.source().toString(),
                    Instant.now().toString(), fetched.digest()));
            return new InstalledPackage(ref, finalDir.resolve(fetched.file()), fetched.sha256(), fetched.source(), true);
        } catch (IOException e) {
            throw new RegistryException(ref, source.location(), "cannot install into " + pluginsDir + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                TreeFiles.deleteTree(staging);
            }
        }
    }

    /**
     * A file lock held while checking and installing one ref, so that two processes sharing the plugins
     * directory (two daemons, or {@code ar install} beside a daemon) do not download over each other.
     * The files live in {@link #LOCKS_DIR} and are left there: deleting a lock file another process holds would break it.
     */
    private record InstallLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        static InstallLock acquire(Path path) throws IOException {
            Files.createDirectories(path.getParent());
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new InstallLock(channel, channel.lock());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    /** Removes staging directories whose process is gone (killed mid-download); once per downloader. */
    private void sweepAbandonedStaging() {
        if (!swept.compareAndSet(false, true) || !Files.isDirectory(layout.pluginsDir())) {
            return;
        }
        try (Stream<Path> entries = Files.list(layout.pluginsDir())) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().startsWith(STAGING_PREFIX)).toList()) {
                if (!ownerAlive(dir.getFileName().toString().substring(STAGING_PREFIX.length()))) {
                    TreeFiles.deleteTree(dir);
                    log.atInfo().addKeyValue("dir", dir).log("removed a staging directory left by an interrupted install");
                }
            }
        } catch (IOException e) {
            log.warn("cannot sweep staging directories in {}: {}", layout.pluginsDir(), e.getMessage());
        }
    }

    /** Staging names are {@code <pid>-<random>}; a name without a live pid belongs to nobody. */
    private static boolean ownerAlive(String suffix) {
        int dash = suffix.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(suffix.substring(0, dash));
            return pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
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
}
