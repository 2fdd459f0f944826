package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.version.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The publishing side of a static HTTP registry: a directory tree that any file server (nginx,
 * {@code ar serve-registry}) serves as it is, in the layout {@link PackageDownloader} reads:
 * <pre>
 * &lt;root&gt;/&lt;package&gt;/index.json
 * &lt;root&gt;/&lt;package&gt;/&lt;version&gt;/&lt;package&gt;         an executable (Go plugin), or
 * &lt;root&gt;/&lt;package&gt;/&lt;version&gt;/&lt;package&gt;.jar     a Java plugin
 * &lt;root&gt;/&lt;package&gt;/&lt;version&gt;/&lt;file&gt;.sha256     "&lt;hex&gt;  &lt;file&gt;\n" (sha256sum format)
 * </pre>
 * A server may serve the tree while it is written: a new version is staged in a hidden directory and
 * renamed into place whole, and index.json is replaced by an atomic rename, so a client sees a version
 * either complete or not at all. Publishes of one package are serialised (in this JVM and, through a
 * file lock, across processes), so two publishers do not lose each other's index entries. Each index written
 * has a higher {@code serial} than the one it replaces (see {@link RegistryIndex}).
 */
public final class StaticRegistryTree {
    private static final Logger log = LoggerFactory.getLogger(StaticRegistryTree.class);
    public static final String INDEX_FILE = "index.json";
    private static final String LOCK_FILE = ".publish.lock";
    private static final String HIDDEN_PREFIX = ".";
    private static final Map<Path, Object> MUTEXES = new ConcurrentHashMap<>();

    /** Numeric segments compare as numbers (1.10.0 after 1.9.0), anything else as text; for a readable index. */
    private static final Comparator<String> VERSION_ORDER = Version.stringOrder();

    private final Path root;
    private final java.security.PrivateKey signingKey;
    private final java.security.PublicKey signingPublicKey;
    private final Duration expiresIn;
    private final Clock clock;

    public StaticRegistryTree(Path root) {
        this(root, null);
    }

    /**
     * With a signing key (Ed25519, from {@code ar keygen}), every index this tree writes is signed into
     * {@code <package>/index.json.sig} ({@link IndexSignature}); without one, a signature left beside an index this
     * tree rewrites would no longer match and is removed (with a WARN).
     */
    public StaticRegistryTree(Path root, java.security.PrivateKey signingKey) {
        this(root, signingKey, null, Clock.systemUTC());
    }

    /**
     * Every index this tree writes gets a {@code serial} higher than the one it replaces (the later of previous + 1
     * and the current epoch second, so it grows even across trees copied between machines) and, signed with
     * {@code expiresIn} (null: never), an {@code expires} instant that far from now: runtimes refuse an older or
     * expired signed index ({@link IndexFreshness}), so a signed index with an expiry must be re-signed in time.
     */
    public StaticRegistryTree(Path root, java.security.PrivateKey signingKey, Duration expiresIn, Clock clock) {
        if (expiresIn != null && signingKey == null) {
            throw new IllegalArgumentException("an index expiry needs a signing key (--sign-key): readers ignore"
                    + " the expiry of an unsigned index");
        }
        if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
            throw new IllegalArgumentException("the index expiry must be in the future: " + expiresIn);
        }
        this.root = root.toAbsolutePath().normalize();
        this.signingKey = signingKey;
        this.signingPublicKey = signingKey == null ? null : IndexSignature.publicKeyOf(signingKey);
        this.expiresIn = expiresIn;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Path root() {
        return root;
    }

    /**
     * What a publish wrote.
     *
     * @param path      the file's path relative to the registry root, as in its URL ({@code sample/1.0.0/sample.jar})
     * @param unchanged true when the same content was already published (nothing was rewritten)
     */
    public record Published(PackageRef ref, Path file, String path, String sha256, long size, boolean unchanged) {
    }

    /** {@link #publish(String, String, Path, boolean)} without overwrite. */
    public Published publish(String packageName, String version, Path file) {
        return publish(packageName, version, file, false);
    }

    /**
     * Publishes {@code file} as {@code packageName@version}: a {@code .jar} becomes {@code <package>.jar},
     * anything else the executable {@code <package>}. Publishing the same content again is a no-op;
     * different content for a published version is refused unless {@code overwrite}, because clients
     * that recorded the old SHA-256 in their plugins.lock would then be refused it.
     *
     * @throws IllegalArgumentException for a name that is not plain or a file that is not a readable file
     * @throws RegistryException        when the version exists with other content, or the tree cannot be written
     */
    public Published publish(String packageName, String version, Path file, boolean overwrite) {
        PackageRef ref = new PackageRef(packageName, version);
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot publish " + ref + ": " + file + " is not a readable file");
        }
        String fileName = file.getFileName().toString().endsWith(".jar") ? ref.name() + ".jar" : ref.name();
        Path packageDir = root.resolve(ref.name());
        return underPackageLock(ref, packageDir, () -> publishLocked(ref, file, fileName, packageDir, overwrite));
    }

    private Published publishLocked(PackageRef ref, Path source, String fileName, Path packageDir, boolean overwrite)
            throws IOException {
        Path versionDir = packageDir.resolve(ref.version());
        sweepAbandoned(packageDir);
        Path staging = Files.createTempDirectory(packageDir, HIDDEN_PREFIX + "staging-");
        try {
            Path staged = staging.resolve(fileName);
            Files.copy(source, staged);
            boolean executable = !fileName.endsWith(".jar");
            TreeFiles.makeWorldReadable(staged, executable);
            String sha256 = TreeFiles.sha256Hex(staged);
            long size = Files.size(staged);

            Optional<String> existing = publishedSha256(versionDir, fileName);
            if (existing.isPresent() && existing.get().equals(sha256) && onlyThisKind(ref, versionDir, fileName)) {
                // same content again (make registry run twice): nothing changes, but mend a hand-broken .sha256
                Path sumFile = versionDir.resolve(fileName + ".sha256");
                if (!Files.exists(sumFile) || !TreeFiles.recordedSha256(sumFile, fileName).equals(Optional.of(sha256))) {
                    TreeFiles.writeAtomically(sumFile, TreeFiles.sha256Line(sha256, fileName).getBytes(StandardCharsets.UTF_8));
                }
                writeIndex(packageDir, ref, fileName, sha256, size, true);
                return new Published(ref, versionDir.resolve(fileName), urlPath(ref, fileName), sha256, size, true);
            }
            boolean replacing = Files.exists(versionDir);
            if (replacing && !overwrite) {
                throw new RegistryException(ref, null, "already published in " + versionDir + " with other content ("
                        + describe(ref, versionDir) + "; " + source + " has SHA-256 " + sha256 + "); a published "
                        + "version must not change, since installs recorded its SHA-256 in plugins.lock: publish "
                        + "a new version, or pass --overwrite to replace it anyway");
            }
            Files.writeString(staging.resolve(fileName + ".sha256"), TreeFiles.sha256Line(sha256, fileName),
                    StandardCharsets.UTF_8);
            TreeFiles.makeWorldReadable(staging.resolve(fileName + ".sha256"), false);
            TreeFiles.makeWorldReadable(staging, true);
            swapIn(staging, versionDir);
            writeIndex(packageDir, ref, fileName, sha256, size, false);
            log.atInfo().addKeyValue("package", ref.name()).addKeyValue("version", ref.version())
                    .addKeyValue("file", versionDir.resolve(fileName)).addKeyValue("sha256", sha256)
                    .addKeyValue("replaced", replacing).log("package published");
            return new Published(ref, versionDir.resolve(fileName), urlPath(ref, fileName), sha256, size, false);
        } finally {
            TreeFiles.deleteTree(staging);
        }
    }

    /**
     * Regenerates {@code <package>/index.json} from the version directories on disk, for trees made or
     * changed by hand: each version's file is hashed, a missing {@code .sha256} is written, and a
     * {@code .sha256} that disagrees with its file is refused (clients would refuse that version too).
     * A version's {@code published} instant is kept from the old index when its SHA-256 is unchanged, else
     * taken from the file's modification time. Directories without a package file are skipped (logged).
     */
    public RegistryIndex rebuildIndex(String packageName) {
        PackageRef probe = anyVersionOf(packageName);
        Path packageDir = root.resolve(probe.name());
        if (!Files.isDirectory(packageDir)) {
            throw new IllegalArgumentException("cannot rebuild index of " + packageName + ": " + packageDir
                    + " is not a directory");
        }
        return underPackageLock(probe, packageDir, () -> rebuildLocked(probe.name(), packageDir));
    }

    private RegistryIndex rebuildLocked(String packageName, Path packageDir) throws IOException {
        RegistryIndex old = readIndex(packageDir, packageName).orElse(new RegistryIndex(packageName, List.of()));
        List<RegistryIndex.Version> versions = new ArrayList<>();
        for (Path versionDir : versionDirs(packageDir)) {
            PackageRef ref = new PackageRef(packageName, versionDir.getFileName().toString());
            Optional<String> fileName = packageFile(ref, versionDir);
            if (fileName.isEmpty()) {
                log.atWarn().addKeyValue("package", packageName).addKeyValue("version", ref.version())
                        .addKeyValue("dir", versionDir)
                        .log("version directory holds neither {} nor {}.jar; left out of the index", packageName, packageName);
                continue;
            }
            Path file = versionDir.resolve(fileName.get());
            String sha256 = TreeFiles.sha256Hex(file);
            Path sumFile = versionDir.resolve(fileName.get() + ".sha256");
            if (Files.exists(sumFile)) {
                Optional<String> recorded = TreeFiles.recordedSha256(sumFile, fileName.get());
                if (recorded.isEmpty()) {
                    throw new RegistryException(ref, null, sumFile + " is not in sha256sum format (\"<64 hex>  "
                            + fileName.get() + "\"); delete it to regenerate it");
                }
                if (!recorded.get().equals(sha256)) {
                    throw new RegistryException(ref, null, sumFile + " records " + recorded.get() + " but " + file
                            + " has SHA-256 " + sha256 + "; fix the file or delete the .sha256 to regenerate it");
                }
            } else {
                TreeFiles.writeAtomically(sumFile, TreeFiles.sha256Line(sha256, fileName.get()).getBytes(StandardCharsets.UTF_8));
            }
            String published = old.version(ref.version())
                    .filter(v -> sha256.equals(v.sha256()) && v.published() != null)
                    .map(RegistryIndex.Version::published)
                    .orElse(Files.getLastModifiedTime(file).toInstant().toString());
            versions.add(new RegistryIndex.Version(ref.version(), fileName.get(), sha256, Files.size(file), published));
        }
        versions.sort((a, b) -> VERSION_ORDER.compare(a.version(), b.version()));
        RegistryIndex index = writeIndexFile(packageDir, new RegistryIndex(packageName, versions), old.serial());
        log.atInfo().addKeyValue("package", packageName).addKeyValue("versions", versions.size())
                .addKeyValue("serial", index.serial()).log("index rebuilt");
        return index;
    }

    /** The package's index.json, or empty when there is none. */
    public Optional<RegistryIndex> index(String packageName) {
        PackageRef probe = anyVersionOf(packageName);
        return readIndex(root.resolve(probe.name()), probe.name());
    }

    // ---- helpers ----

    /**
     * Publishes of a package hold its lock, so a staging or replaced-version directory found while holding it
     * was left by a publish that was killed: remove it (it is hidden, so it was never served or indexed).
     */
    private static void sweepAbandoned(Path packageDir) throws IOException {
        try (var entries = Files.list(packageDir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && (name.startsWith(HIDDEN_PREFIX + "staging-") || name.startsWith(HIDDEN_PREFIX + "replaced-"))) {
                    TreeFiles.deleteTree(p);
                    log.atInfo().addKeyValue("dir", p).log("removed a directory left by an interrupted publish");
                }
            }
        }
    }

    /** Validates a package name the way PackageRef does (plain, no '/' or '..'); the version is a placeholder. */
    private static PackageRef anyVersionOf(String packageName) {
        return new PackageRef(packageName, "0");
    }

    /** A URL path relative to the registry root. */
    private static String urlPath(PackageRef ref, String fileName) {
        return ref.name() + "/" + ref.version() + "/" + fileName;
    }

    /** SHA-256 (from the file itself) of {@code fileName} in a published version directory, if present. */
    private static Optional<String> publishedSha256(Path versionDir, String fileName) throws IOException {
        Path file = versionDir.resolve(fileName);
        return Files.isRegularFile(file) ? Optional.of(TreeFiles.sha256Hex(file)) : Optional.empty();
    }

    /**
     * True when the version directory holds no package file of the other kind: clients try
     * {@code <package>} before {@code <package>.jar}, so a leftover executable would shadow a jar.
     */
    private static boolean onlyThisKind(PackageRef ref, Path versionDir, String fileName) {
        String other = fileName.endsWith(".jar") ? ref.name() : ref.name() + ".jar";
        return !Files.exists(versionDir.resolve(other));
    }

    /** The file clients would download from a version directory: {@code <package>} first, then the jar. */
    private static Optional<String> packageFile(PackageRef ref, Path versionDir) {
        for (String candidate : List.of(ref.name(), ref.name() + ".jar")) {
            if (Files.isRegularFile(versionDir.resolve(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String describe(PackageRef ref, Path versionDir) {
        try {
            Optional<String> file = packageFile(ref, versionDir);
            return file.isEmpty() ? "no package file"
                    : file.get() + " with SHA-256 " + TreeFiles.sha256Hex(versionDir.resolve(file.get()));
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /**
     * Renames the staged directory to {@code versionDir}. A replaced version is first moved aside (so
     * for an instant the version is missing rather than half old, half new), then deleted.
     */
    private static void swapIn(Path staging, Path versionDir) throws IOException {
        Path old = null;
        if (Files.exists(versionDir)) {
            old = versionDir.resolveSibling(HIDDEN_PREFIX + "replaced-" + staging.getFileName());
            Files.move(versionDir, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(staging, versionDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null && !Files.exists(versionDir)) {
                Files.move(old, versionDir, StandardCopyOption.ATOMIC_MOVE);
            }
            throw e;
        }
        if (old != null) {
            TreeFiles.deleteTree(old);
        }
    }

    private void writeIndex(Path packageDir, PackageRef ref, String fileName, String sha256, long size,
                            boolean unchanged) throws IOException {
        RegistryIndex index = readIndex(packageDir, ref.name()).orElse(new RegistryIndex(ref.name(), List.of()));
        Optional<RegistryIndex.Version> current = index.version(ref.version());
        if (unchanged && current.isPresent() && sha256.equals(current.get().sha256())
                && fileName.equals(current.get().file())) {
            if (signingKey != null) { // republishing with a key signs (again: a new serial and expiry) the same versions
                writeIndexFile(packageDir, index, index.serial());
            }
            return; // republishing identical content keeps the original publish instant
        }
        RegistryIndex updated = index.with(new RegistryIndex.Version(ref.version(), fileName, sha256, size,
                Instant.now().toString()));
        List<RegistryIndex.Version> sorted = new ArrayList<>(updated.versions());
        sorted.sort((a, b) -> VERSION_ORDER.compare(a.version(), b.version()));
        writeIndexFile(packageDir, new RegistryIndex(ref.name(), sorted), index.serial());
    }

    /**
     * Replaces index.json, then its signature (each by a rename): a reader between the two renames sees a new
     * index with the old signature, which fails verification; the downloader reads both once more before refusing.
     */
    private RegistryIndex writeIndexFile(Path packageDir, RegistryIndex unstamped, long previousSerial) throws IOException {
        Instant now = clock.instant();
        if (previousSerial == Long.MAX_VALUE) {
            throw new IOException("index.json has serial " + previousSerial + ", which cannot grow any more");
        }
        RegistryIndex stamped = unstamped.stamped(Math.max(previousSerial + 1, now.getEpochSecond()),
                expiresIn == null ? null : now.plus(expiresIn).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        byte[] index = stamped.toJson();
        TreeFiles.writeAtomically(packageDir.resolve(INDEX_FILE), index);
        Path sig = packageDir.resolve(IndexSignature.SIGNATURE_FILE);
        if (signingKey != null) {
            writeSignature(packageDir, index);
        } else if (Files.deleteIfExists(sig)) {
            log.atWarn().addKeyValue("file", sig).log("removed the index signature, which no longer matches the index;"
                    + " publish or reindex with --sign-key to sign it again (runtimes with registry.trustedKeys refuse"
                    + " this package until then)");
        }
        return stamped;
    }

    private void writeSignature(Path packageDir, byte[] index) throws IOException {
        TreeFiles.writeAtomically(packageDir.resolve(IndexSignature.SIGNATURE_FILE),
                IndexSignature.sign(index, signingKey, signingPublicKey));
    }

    private static Optional<RegistryIndex> readIndex(Path packageDir, String packageName) {
        Path file = packageDir.resolve(INDEX_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            RegistryIndex index = RegistryIndex.parse(Files.readAllBytes(file));
            if (!index.packageName().equals(packageName)) {
                throw new IOException("it is the index of package \"" + index.packageName() + "\"");
            }
            return Optional.of(index);
        } catch (IOException e) {
            throw new RegistryException(null, null, "cannot read registry index " + file + ": " + e.getMessage()
                    + " (fix it, or delete it and rebuild it from the version directories)", e);
        }
    }

    /** Version directories with plain names; hidden staging directories and stray files are left out. */
    private static List<Path> versionDirs(Path packageDir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(packageDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (Files.isDirectory(entry) && !name.startsWith(HIDDEN_PREFIX) && isPlainVersion(name)) {
                    dirs.add(entry);
                }
            }
        }
        return dirs;
    }

    private static boolean isPlainVersion(String name) {
        try {
            new PackageRef("any", name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code body} holding the package's lock: a JVM-wide mutex (FileChannel locks are per process)
     * plus an exclusive lock on {@code <package>/.publish.lock} against other processes.
     */
    private <T> T underPackageLock(PackageRef ref, Path packageDir, Locked<T> body) {
        Object mutex = MUTEXES.computeIfAbsent(packageDir, p -> new Object());
        synchronized (mutex) {
            try {
                Files.createDirectories(packageDir);
                try (FileChannel channel = FileChannel.open(packageDir.resolve(LOCK_FILE),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    return body.run();
                }
            } catch (IOException e) {
                throw new RegistryException(ref, null, "cannot write registry tree " + packageDir + ": " + e, e);
            }
        }
    }
}
