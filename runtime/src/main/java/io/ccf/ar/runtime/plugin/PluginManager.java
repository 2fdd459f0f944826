package io.ccf.ar.runtime.plugin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;

/**
 * Runs the configured plugins: groups them by package and starts one child process per package
 * version, routes calls by plugin name to the right child, and stops them all.
 *
 * <p>A package that is missing or fails to start does not stop the others: the failure is logged,
 * and the next call to one of its plugins tries again (so a package installed later is picked up).
 */
public final class PluginManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginManager.class);

    private final PackageResolver packages;
    private final PluginHostOptions options;
    private final JavaPluginCommand javaCommand;
    private final ProcessLauncher launcher;
    private final PluginChannels channels;
    /** Starts and stops block on child processes: its own threads, not the common fork-join pool. */
    private final ExecutorService lifecycleThreads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "plugin-lifecycle");
        t.setDaemon(true);
        return t;
    });
    private final Set<PluginSpec> plugins = new LinkedHashSet<>();
    private final Map<PackageRef, PluginClient> clients = new ConcurrentHashMap<>();
    /** Versions retainOnly retired and no plugin registered since: no new client for them (guarded by plugins). */
    private final Set<PackageRef> retiredRefs = new LinkedHashSet<>();
    private volatile boolean stopped;
    private final PluginMetrics metrics;

    /** Packages from a plugins directory ({@link PackageLayout}) or any other {@link PackageResolver}. */
    public PluginManager(PackageResolver packages, PluginHostOptions options) {
        this(packages, options, PluginMetrics.NONE);
    }

    public PluginManager(PackageResolver packages, PluginHostOptions options, PluginMetrics metrics) {
        this.metrics = metrics;
        this.packages = packages;
        this.options = options;
        this.javaCommand = new JavaPluginCommand(options);
        this.launcher = new ProcessLauncher(options.parentDeathSignal());
        this.channels = new PluginChannels();
    }

    /**
     * Registers the plugins and starts one child per package version, concurrently.
     * Returns the start failures by package (empty when all started).
     */
    public Map<PackageRef, PluginException> start(Collection<PluginSpec> specs) {
        Set<PluginSpec> unique = new LinkedHashSet<>(specs);
        synchronized (plugins) {
            plugins.addAll(unique);
            unique.forEach(p -> retiredRefs.remove(p.pkg()));
        }
        Map<PackageRef, List<PluginSpec>> byPackage = unique.stream()
                .collect(Collectors.groupingBy(PluginSpec::pkg, LinkedHashMap::new, Collectors.toList()));
        // a version whose child already runs needs nothing (an ad-hoc request names a running one): no hop to a
        // lifecycle thread and no log line for it
        List<PackageRef> toStart = byPackage.keySet().stream().filter(ref -> !isRunning(ref)).toList();
        if (toStart.isEmpty()) {
            return Map.of();
        }
        log.info("starting {} plugin(s) in {} package version(s): {}", unique.size(), byPackage.size(), byPackage.keySet());

        Map<PackageRef, CompletableFuture<Void>> starts = new LinkedHashMap<>();
        for (PackageRef ref : toStart) {
            try {
                starts.put(ref, CompletableFuture.runAsync(() -> client(ref).start(), lifecycleThreads));
            } catch (RejectedExecutionException e) {
                starts.put(ref, CompletableFuture.failedFuture(new PluginException("plugin manager is stopped")));
            }
        }
        Map<PackageRef, PluginException> failures = new LinkedHashMap<>();
        starts.forEach((ref, future) -> {
            try {
                future.join();
            } catch (java.util.concurrent.CompletionException e) {
                PluginException failure = e.getCause() instanceof PluginException pe ? pe
                        : new PluginException("plugin " + ref + " failed to start: " + e.getCause(), e.getCause());
                failures.put(ref, failure);
                if (failure instanceof PluginNotFoundException) {
                    log.error("{}", failure.getMessage());
                }
            }
        });
        return failures;
    }

    /**
     * Forgets the plugins not in {@code wanted} and stops, once their calls in flight end, the children of
     * package versions none of {@code wanted} uses (a plan moved to another version, or was deleted), so that
     * a long-running daemon does not keep every version it ever ran. Returns the versions retired.
     */
    public Set<PackageRef> retainOnly(Collection<PluginSpec> wanted) {
        Set<PackageRef> keep = wanted.stream().map(PluginSpec::pkg).collect(Collectors.toSet());
        List<PluginClient> retiring = new ArrayList<>();
        // under the same lock as client(ref) creates clients: a run of the old plan still going cannot slip a
        // new client of a retired version in between, which nobody would ever stop
        synchronized (plugins) {
            plugins.removeIf(p -> !keep.contains(p.pkg()));
            clients.forEach((ref, client) -> {
                if (!keep.contains(ref) && clients.remove(ref, client)) {
                    retiring.add(client);
                    retiredRefs.add(ref);
                }
            });
        }
        Set<PackageRef> retired = new LinkedHashSet<>();
        for (PluginClient client : retiring) {
            PackageRef ref = client.ref();
            retired.add(ref);
            log.atInfo().addKeyValue("package", ref.name()).addKeyValue("version", ref.version())
                    .log("no job uses this package version any more: stopping its plugin once its calls end");
            client.retireWhenIdle();
        }
        return retired;
    }

    public EvaluateResult evaluate(String pluginName, EvaluateInput input) {
        return client(pluginName).evaluate(input);
    }

    public ExecuteResult execute(String pluginName, ExecuteInput input) {
        return client(pluginName).execute(input);
    }

    /** The client of a configured plugin's package, created (and the package resolved) on first use. */
    public PluginClient client(String pluginName) {
        List<PackageRef> refs;
        synchronized (plugins) {
            refs = plugins.stream().filter(p -> p.name().equals(pluginName)).map(PluginSpec::pkg).distinct().toList();
        }
        if (refs.isEmpty()) {
            throw new PluginException("unknown plugin \"" + pluginName + "\"; configured plugins: " + pluginNames());
        }
        if (refs.size() > 1) {
            throw new PluginException("plugin name \"" + pluginName + "\" is used by several package versions " + refs
                    + "; address the package version instead");
        }
        return client(refs.get(0));
    }

    private boolean isRunning(PackageRef ref) {
        PluginClient existing = clients.get(ref);
        return existing != null && existing.isRunning();
    }

    /** The client of a package version, created (and the package resolved) on first use. */
    public PluginClient client(PackageRef ref) {
        PluginClient existing = clients.get(ref);
        if (existing != null) {
            return existing;
        }
        if (stopped) {
            throw new PluginException("plugin manager is stopped");
        }
        PluginPackage pkg = packages.resolve(ref);
        synchronized (plugins) {
            List<PluginSpec> users = plugins.stream().filter(p -> p.pkg().equals(ref)).toList();
            if (users.isEmpty() && retiredRefs.contains(ref)) {
                throw new PluginException("package version " + ref + " is not used by any job (its plan was changed"
                        + " or removed); configured package versions: " + packageVersions());
            }
            return clients.computeIfAbsent(ref, r -> new PluginClient(pkg, users, options, javaCommand, launcher, channels, metrics));
        }
    }

    private List<String> packageVersions() {
        synchronized (plugins) {
            return plugins.stream().map(p -> p.pkg().toString()).distinct().sorted().toList();
        }
    }

    private List<String> pluginNames() {
        synchronized (plugins) {
            return plugins.stream().map(PluginSpec::name).distinct().sorted().toList();
        }
    }

    /** Package versions with a client, and their state. */
    public Map<PackageRef, PluginState> states() {
        Map<PackageRef, PluginState> states = new LinkedHashMap<>();
        clients.forEach((ref, client) -> states.put(ref, client.state()));
        return states;
    }

    /** The clients of the package versions started so far (read-only snapshot: state, pid, restarts). */
    public List<PluginClient> clients() {
        return List.copyOf(clients.values());
    }

    /** Stops every child concurrently (each: Shutdown, up to the stop timeout, then kill). */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (PluginClient client : clients.values()) {
            stops.add(CompletableFuture.runAsync(client::stop, lifecycleThreads));
        }
        CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
        lifecycleThreads.shutdown();
        launcher.close();
        channels.close();
    }

    @Override
    public void close() {
        stop();
    }
}
