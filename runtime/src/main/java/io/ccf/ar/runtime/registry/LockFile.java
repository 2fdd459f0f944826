package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ccf.ar.runtime.files.DurableFiles;
import io.ccf.ar.runtime.files.FileHasher;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code <pluginsDir>/plugins.lock}: JSON {@code {package: {version: {file, sha256, source, installedAt}}}}.
 * Every change rewrites the whole file atomically and durably ({@link DurableFiles}). Changes are serialised
 * within this JVM and, by a file lock, across processes sharing the plugins directory. A file found empty
 * or unparsable is moved aside and rebuilt from what is installed, with a warning.
 */
public final class LockFile {
    public static final String FILE_NAME = "plugins.lock";

    /**
     * One installed package version. {@code file} is the file name inside the version directory;
     * {@code digest} the OCI manifest digest ({@code sha256:<hex>}) for a package pulled from an OCI registry.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(String file, String sha256, String source, String installedAt, String digest) {
        public Entry(String file, String sha256, String source, String installedAt) {
            this(file, sha256, source, installedAt, null);
        }

        /** True when a pin ({@code sha256:<hex>}) names this content: the OCI manifest digest or the file's SHA-256. */
        public boolean matchesDigest(String pinned) {
            return pinned.equalsIgnoreCase(digest) || (sha256 != null && pinned.equalsIgnoreCase("sha256:" + sha256));
        }
    }

    private static final ObjectMapper JSON = JsonMappers.FILES;
    private static final TypeReference<TreeMap<String, TreeMap<String, Entry>>> TYPE = new TypeReference<>() {
    };
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();
    /** The {@code source} of entries rebuilt from disk after the lock file was lost. */
    public static final String REBUILT_SOURCE = "rebuilt from the installed files";
    private static final Logger log = LoggerFactory.getLogger(LockFile.class);

    private final PackageLayout layout;
    private final Path path;
    private final Object mutex;
    private final FileHasher hasher;

    public LockFile(PackageLayout layout) {
        this(layout, FileHasher.DIRECT);
    }

    /** {@code hasher} hashes the installed files in {@link #verify} and {@link #requireVerified}. */
    public LockFile(PackageLayout layout, FileHasher hasher) {
        this.layout = layout;
        this.path = layout.pluginsDir().resolve(FILE_NAME);
        this.mutex = LOCKS.computeIfAbsent(path, p -> new Object());
        this.hasher = hasher;
    }

    public LockFile(Path pluginsDir) {
        this(new PackageLayout(pluginsDir));
    }

    public Path path() {
        return path;
    }

    public Optional<Entry> get(PackageRef ref) {
        synchronized (mutex) {
            Map<String, Entry> versions = read().get(ref.name());
            return Optional.ofNullable(versions == null ? null : versions.get(ref.version()));
        }
    }

    /** Everything recorded, package → version → entry (a copy). */
    public Map<String, Map<String, Entry>> entries() {
        synchronized (mutex) {
            return new TreeMap<>(read());
        }
    }

    public void put(PackageRef ref, Entry entry) {
        update(all -> {
            all.computeIfAbsent(ref.name(), k -> new TreeMap<>()).put(ref.version(), entry);
            return true;
        });
    }

    public void remove(PackageRef ref) {
        update(all -> {
            TreeMap<String, Entry> versions = all.get(ref.name());
            if (versions == null || versions.remove(ref.version()) == null) {
                return false;
            }
            if (versions.isEmpty()) {
                all.remove(ref.name());
            }
            return true;
        });
    }

    /**
     * Read-modify-write under this JVM's mutex and a file lock on {@code .locks/plugins.lock.lck}, so that two
     * processes installing different packages into one directory do not drop each other's entries.
     * The change function returns false when it changed nothing.
     */
    private void update(Predicate<TreeMap<String, TreeMap<String, Entry>>> change) {
        synchronized (mutex) {
            underFileLock(() -> {
                TreeMap<String, TreeMap<String, Entry>> all = readOrRecover(true);
                if (change.test(all)) {
                    write(all);
                }
                return null;
            });
        }
    }

    private <T> T underFileLock(Supplier<T> action) {
        Path guard = path.resolveSibling(PackageDownloader.LOCKS_DIR).resolve(FILE_NAME + ".lck");
        try {
            DurableFiles.createPrivateDirectories(guard.getParent()); // 0700
            try (FileChannel channel = DurableFiles.openPrivate(guard, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                return action.get();
            }
        } catch (IOException e) {
            throw new RegistryException(null, null, "cannot lock " + guard + ": " + e.getMessage(), e);
        }
    }

    /** True when the lock file has an entry for ref and the installed file's SHA-256 equals it. */
    public boolean verify(PackageRef ref) {
        return check(ref).isEmpty();
    }

    /** Like {@link #verify} but throws a RegistryException explaining the mismatch; use before launching. */
    public void requireVerified(PackageRef ref) {
        check(ref).ifPresent(problem -> {
            throw new RegistryException(ref, null, problem);
        });
    }

    /** Empty when verified, else what is wrong. */
    Optional<String> check(PackageRef ref) {
        Optional<Entry> entry = get(ref);
        if (entry.isEmpty()) {
            return Optional.of("no entry in " + path);
        }
        Entry e = entry.get();
        if (e.file() == null || e.sha256() == null || e.file().contains("/") || e.file().contains("..")) {
            return Optional.of("malformed entry in " + path + ": " + e);
        }
        Path file = layout.versionDir(ref).resolve(e.file());
        if (!Files.isRegularFile(file)) {
            return Optional.of("installed file " + file + " is missing");
        }
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(e.sha256());
        } catch (IllegalArgumentException ex) {
            return Optional.of("malformed sha256 in " + path + ": " + e.sha256());
        }
        byte[] actual;
        try {
            actual = HexFormat.of().parseHex(hasher.sha256Hex(file));
        } catch (IOException ex) {
            return Optional.of("cannot read " + file + ": " + ex.getMessage());
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            return Optional.of("installed file " + file + " has SHA-256 " + HexFormat.of().formatHex(actual)
                    + " but " + path + " records " + e.sha256() + " (modified after install?)");
        }
        return Optional.empty();
    }

    private TreeMap<String, TreeMap<String, Entry>> read() {
        return readOrRecover(false);
    }

    /**
     * The entries; a lock file that is empty or not JSON (a power cut before it reached the disk, an editor)
     * is recovered instead of refusing every plugin. {@code locked}: the caller holds the file lock already.
     */
    private TreeMap<String, TreeMap<String, Entry>> readOrRecover(boolean locked) {
        try {
            return parse();
        } catch (IOException e) {
            return locked ? recover(e) : underFileLock(() -> {
                try {
                    return parse(); // another process may have recovered it meanwhile
                } catch (IOException again) {
                    return recover(again);
                }
            });
        }
    }

    private TreeMap<String, TreeMap<String, Entry>> parse() throws IOException {
        if (!Files.exists(path)) {
            return new TreeMap<>();
        }
        byte[] content = Files.readAllBytes(path);
        if (content.length == 0) {
            throw new IOException("it is empty (0 bytes)");
        }
        TreeMap<String, TreeMap<String, Entry>> all = JSON.readValue(content, TYPE);
        return all == null ? new TreeMap<>() : all;
    }

    /**
     * Moves the broken file aside (kept for inspection) and records what is installed now, hashed afresh:
     * the files on disk are trusted as they are, which is what a missing lock file means too.
     */
    private TreeMap<String, TreeMap<String, Entry>> recover(IOException cause) {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path aside = path.resolveSibling(FILE_NAME + ".corrupt-" + stamp);
        TreeMap<String, TreeMap<String, Entry>> rebuilt = new TreeMap<>();
        try {
            Files.move(path, aside);
            String now = Instant.now().toString();
            for (PackageRef ref : layout.installed()) {
                try {
                    Path file = layout.resolve(ref).file();
                    rebuilt.computeIfAbsent(ref.name(), k -> new TreeMap<>()).put(ref.version(), new Entry(
                            file.getFileName().toString(), TreeFiles.sha256Hex(file), REBUILT_SOURCE, now));
                } catch (PluginException notRunnable) {
                    // nothing to launch there, so nothing to record
                }
            }
            write(rebuilt);
        } catch (IOException e) {
            throw new RegistryException(null, null, "lock file " + path + " is unreadable (" + cause.getMessage()
                    + ") and could not be rebuilt: " + e.getMessage(), e);
        }
        String reason = String.valueOf(cause.getMessage()).lines().findFirst().orElse(""); // Jackson adds a source line
        log.atWarn().addKeyValue("file", path).addKeyValue("movedTo", aside).addKeyValue("reason", reason)
                .addKeyValue("versions", rebuilt.values().stream().mapToInt(Map::size).sum())
                .log("plugins.lock was unreadable: rebuilt it by hashing the package versions installed now"
                        + " (their files are trusted as they are; OCI manifest digests are not recorded)");
        return rebuilt;
    }

    private void write(TreeMap<String, TreeMap<String, Entry>> all) {
        try {
            // 0600: the hashes decide what may run; nobody else needs to read (or learn) them
            DurableFiles.writeAtomicallyWithMode(path, JSON.writeValueAsBytes(all), DurableFiles.PRIVATE_FILE);
        } catch (IOException e) {
            throw new RegistryException(null, null, "cannot write lock file " + path + ": " + e.getMessage(), e);
        }
    }
}
