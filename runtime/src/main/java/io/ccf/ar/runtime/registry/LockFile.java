package io.ccf.ar.runtime.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * {@code <pluginsDir>/plugins.lock}: JSON {@code {package: {version: {file, sha256, source, installedAt}}}}.
 * Every change rewrites the whole file through a temp file and an atomic rename. Changes are serialised
 * within this JVM and, by a file lock, across processes sharing the plugins directory.
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

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TypeReference<TreeMap<String, TreeMap<String, Entry>>> TYPE = new TypeReference<>() {
    };
    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final PackageLayout layout;
    private final Path path;
    private final Object mutex;

    public LockFile(PackageLayout layout) {
        this.layout = layout;
        this.path = layout.pluginsDir().resolve(FILE_NAME);
        this.mutex = LOCKS.computeIfAbsent(path, p -> new Object());
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
            Path guard = path.resolveSibling(PackageDownloader.LOCKS_DIR).resolve(FILE_NAME + ".lck");
            try {
                Files.createDirectories(guard.getParent());
                try (FileChannel channel = FileChannel.open(guard, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    TreeMap<String, TreeMap<String, Entry>> all = read();
                    if (change.test(all)) {
                        write(all);
                    }
                }
            } catch (IOException e) {
                throw new RegistryException(null, null, "cannot lock " + guard + ": " + e.getMessage(), e);
            }
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
            actual = HexFormat.of().parseHex(TreeFiles.sha256Hex(file));
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
        if (!Files.exists(path)) {
            return new TreeMap<>();
        }
        try {
            TreeMap<String, TreeMap<String, Entry>> all = JSON.readValue(path.toFile(), TYPE);
            return all == null ? new TreeMap<>() : all;
        } catch (IOException e) {
            throw new RegistryException(null, null, "cannot read lock file " + path + ": " + e.getMessage(), e);
        }
    }

    private void write(TreeMap<String, TreeMap<String, Entry>> all) {
        Path tmp = null;
        try {
            Files.createDirectories(path.getParent());
            tmp = Files.createTempFile(path.getParent(), "." + FILE_NAME + "-", ".tmp");
            JSON.writeValue(tmp.toFile(), all);
            try {
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new RegistryException(null, null, "cannot write lock file " + path + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
