package io.ccf.ar.runtime.registry;

import io.ccf.ar.runtime.json.JsonMappers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ccf.ar.runtime.files.DurableFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The highest signed-index serial this runtime has verified, per registry and package, so that an older index
 * (still validly signed) can be told apart from the newest one ({@link IndexFreshness}). Durable: kept in
 * {@code <pluginsDir>/registry-state.json} (mode 0600, replaced atomically and fsynced), shared by every process
 * using the plugins directory (the daemon, {@code ar install}) under a file lock:
 * <pre>{@code {"registries": {"https://plugins.example.com/": {"sample": 1764650000}}}}</pre>
 * Losing the file loses the protection until the next index is seen (it is then trusted as the newest), so it
 * belongs with the plugins directory (backups, volume). An unreadable file refuses every signed index rather
 * than forgetting silently. One instance per plugins directory per JVM: the file lock does not serialise
 * threads of one process, the instance's lock does.
 */
public final class SeenSerials {
    public static final String FILE = "registry-state.json";
    private static final String LOCK = "registry-state.lock";
    private static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = JsonMappers.FILES;

    private final Path file;
    private final Path lockFile;
    private final Map<String, Map<String, Long>> memory;
    private final ReentrantLock lock = new ReentrantLock();

    private SeenSerials(Path file, Path lockFile, Map<String, Map<String, Long>> memory) {
        this.file = file;
        this.lockFile = lockFile;
        this.memory = memory;
    }

    /** Kept in {@code <pluginsDir>/registry-state.json}. */
    public static SeenSerials in(Path pluginsDir) {
        Objects.requireNonNull(pluginsDir, "pluginsDir");
        return new SeenSerials(pluginsDir.resolve(FILE), pluginsDir.resolve(PackageDownloader.LOCKS_DIR).resolve(LOCK), null);
    }

    /** Remembered for the life of this object only (a source without a plugins directory: tests, benchmarks). */
    public static SeenSerials inMemory() {
        return new SeenSerials(null, null, new HashMap<>());
    }

    /** Where the serials are kept, or empty when only in memory. */
    public java.util.Optional<Path> file() {
        return java.util.Optional.ofNullable(file);
    }

    /**
     * Records {@code serial} for the package when it is higher than the one seen so far, atomically with reading
     * that one, and returns the one seen before (empty: never seen). A lower serial changes nothing.
     *
     * @throws IOException when the state file cannot be read, parsed or written
     */
    public OptionalLong raise(String registry, String packageName, long serial) throws IOException {
        lock.lock();
        try {
            if (file == null) {
                return raise(memory, registry, packageName, serial);
            }
            DurableFiles.createPrivateDirectories(lockFile.getParent());
            try (FileChannel channel = DurableFiles.openPrivate(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Map<String, Map<String, Long>> state = read();
                OptionalLong before = raise(state, registry, packageName, serial);
                if (before.isEmpty() || before.getAsLong() < serial) {
                    write(state);
                }
                return before;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The highest serial seen for the package, or empty. */
    public OptionalLong get(String registry, String packageName) throws IOException {
        lock.lock();
        try {
            Map<String, Long> packages = (file == null ? memory : read()).get(registry);
            Long seen = packages == null ? null : packages.get(packageName);
            return seen == null ? OptionalLong.empty() : OptionalLong.of(seen);
        } finally {
            lock.unlock();
        }
    }

    private static OptionalLong raise(Map<String, Map<String, Long>> state, String registry, String packageName, long serial) {
        Map<String, Long> packages = state.computeIfAbsent(registry, r -> new HashMap<>());
        Long before = packages.get(packageName);
        if (before == null || before < serial) {
            packages.put(packageName, serial);
        }
        return before == null ? OptionalLong.empty() : OptionalLong.of(before);
    }

    private Map<String, Map<String, Long>> read() throws IOException {
        Map<String, Map<String, Long>> state = new HashMap<>();
        if (!Files.exists(file)) {
            return state;
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + " is not JSON (" + e.getClass().getSimpleName() + ")", e);
        }
        JsonNode registries = root == null ? null : root.get("registries");
        if (registries == null || !registries.isObject()) {
            throw new IOException(file + " has no \"registries\" object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> r = registries.fields(); r.hasNext(); ) {
            Map.Entry<String, JsonNode> registry = r.next();
            Map<String, Long> packages = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> p = registry.getValue().fields(); p.hasNext(); ) {
                Map.Entry<String, JsonNode> pkg = p.next();
                if (!pkg.getValue().isIntegralNumber() || !pkg.getValue().canConvertToLong()) {
                    throw new IOException(file + ": the serial of " + pkg.getKey() + " from " + registry.getKey()
                            + " is not an integer");
                }
                packages.put(pkg.getKey(), pkg.getValue().asLong());
            }
            state.put(registry.getKey(), packages);
        }
        return state;
    }

    private void write(Map<String, Map<String, Long>> state) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode registries = root.putObject("registries");
        state.keySet().stream().sorted().forEach(registry -> {
            ObjectNode packages = registries.putObject(registry);
            state.get(registry).entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> packages.put(e.getKey(), e.getValue()));
        });
        DurableFiles.writePrivately(file, JSON.writeValueAsBytes(root));
    }
}
