package io.ccf.ar.runtime.app;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.PackageVersion;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.registry.DownloadMetrics;
import io.ccf.ar.runtime.registry.DownloaderOptions;
import io.ccf.ar.runtime.registry.IndexFreshness;
import io.ccf.ar.runtime.registry.InstalledPackage;
import io.ccf.ar.runtime.registry.LockFile;
import io.ccf.ar.runtime.registry.PackageDownloader;
import io.ccf.ar.runtime.registry.PackageSource;
import io.ccf.ar.runtime.registry.PackageSources;
import io.ccf.ar.runtime.registry.RegistryAccess;
import io.ccf.ar.runtime.registry.RegistryException;
import io.ccf.ar.runtime.registry.VersionResolver;

/**
 * Turns the package versions that jobs name into installed, exact versions: resolves ranges
 * ({@link VersionResolver}) and fetches what is missing from {@code pluginRegistryURL} (only resolving
 * against installed versions without one), several packages at a time. A package that cannot be
 * resolved or fetched is logged; its activities then report it as not installed until it is.
 */
public final class PackageProvisioner {
    private static final Logger log = LoggerFactory.getLogger(PackageProvisioner.class);
    /** Downloads in flight at once: enough to overlap network waits, few enough not to swamp a registry. */
    public static final int DEFAULT_PARALLEL_DOWNLOADS = 4;

    /** @param resolved the exact version chosen for each requirement; failures have none */
    public record Provisioning(Map<PackageVersion, String> resolved, Map<PackageVersion, RuntimeException> failures) {
    }

    private final PackageLayout layout;
    private final PackageDownloader downloader;
    private final VersionResolver resolver;
    private final int parallelDownloads;

    public PackageProvisioner(RuntimeConfig config) {
        this(config, DownloadMetrics.NONE);
    }

    /** Downloads are counted in {@code metrics}. */
    public PackageProvisioner(RuntimeConfig config, DownloadMetrics metrics) {
        this(new PackageLayout(config.pluginsDir()), config.pluginRegistryURL().isBlank() ? Optional.empty()
                : Optional.of(PackageSources.open(URI.create(config.pluginRegistryURL()), DownloaderOptions.defaults(),
                        RegistryAccess.from(config.registry(), URI.create(config.pluginRegistryURL()), System.getenv()),
                        IndexFreshness.in(config.pluginsDir()))),
                DEFAULT_PARALLEL_DOWNLOADS, metrics);
    }

    public PackageProvisioner(PackageLayout layout, Optional<PackageSource> source) {
        this(layout, source, DEFAULT_PARALLEL_DOWNLOADS);
    }

    public PackageProvisioner(PackageLayout layout, Optional<PackageSource> source, int parallelDownloads) {
        this(layout, source, parallelDownloads, DownloadMetrics.NONE);
    }

    public PackageProvisioner(PackageLayout layout, Optional<PackageSource> source, int parallelDownloads,
                              DownloadMetrics metrics) {
        if (parallelDownloads < 1) {
            throw new IllegalArgumentException("parallelDownloads must be at least 1: " + parallelDownloads);
        }
        this.parallelDownloads = parallelDownloads;
        this.layout = layout;
        this.downloader = source.map(s -> new PackageDownloader(s, layout, metrics)).orElse(null);
        this.resolver = new VersionResolver(layout, source);
    }

    /** The catalog with every version exact and installed where possible (ranges replaced by their choice). */
    public JobCatalog provision(JobCatalog catalog) {
        return catalog.withVersions(ensureInstalled(catalog.requiredPackages()).resolved());
    }

    /**
     * Resolves and installs what is missing, in parallel; never throws for a package that fails. A single
     * package is provided on the caller's thread: an ad-hoc request names one, and a thread started per
     * request cost it ~0.3 ms of its latency (docs/benchmarks.md).
     */
    public Provisioning ensureInstalled(Collection<PackageVersion> needed) {
        Map<PackageVersion, CompletableFuture<String>> work = new LinkedHashMap<>();
        if (needed.size() == 1) {
            PackageVersion only = needed.iterator().next();
            CompletableFuture<String> provided;
            try {
                provided = CompletableFuture.completedFuture(provide(only));
            } catch (RuntimeException e) {
                provided = CompletableFuture.failedFuture(e);
            }
            work.put(only, provided);
            return collect(work);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelDownloads, needed.size())), r -> {
            Thread t = new Thread(r, "package-install");
            t.setDaemon(true);
            return t;
        });
        try {
            for (PackageVersion pv : needed) {
                work.put(pv, CompletableFuture.supplyAsync(() -> provide(pv), pool));
            }
            return collect(work);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits for every package's outcome; a failure is logged and kept, never thrown. */
    private static Provisioning collect(Map<PackageVersion, CompletableFuture<String>> work) {
        Map<PackageVersion, String> resolved = new LinkedHashMap<>();
        Map<PackageVersion, RuntimeException> failures = new LinkedHashMap<>();
        work.forEach((pv, future) -> {
            try {
                resolved.put(pv, future.join());
            } catch (java.util.concurrent.CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                failures.put(pv, cause);
                log.atError().addKeyValue("package", pv.packageName()).addKeyValue("version", pv.version())
                        .log("package not installed: {}", cause.getMessage());
            }
        });
        return new Provisioning(resolved, failures);
    }

    /** Resolves and installs one package version now (ar install); throws what went wrong. */
    public InstalledPackage install(String packageName, String versionField) {
        if (downloader == null) {
            throw new IllegalArgumentException("no plugin registry: set pluginRegistryURL in the config or pass --registry");
        }
        VersionResolver.Resolved r = resolver.resolve(packageName, versionField);
        return downloader.install(r.ref(), r.pinnedDigest());
    }

    /** The exact version for pv, installed (or already there); throws when it cannot be had. */
    private String provide(PackageVersion pv) {
        VersionResolver.Resolved r = resolver.resolve(pv.packageName(), pv.version());
        PackageRef ref = r.ref();
        if (installed(ref) && r.pinnedDigest().map(pin -> matchesPin(ref, pin)).orElse(true)) {
            return ref.version();
        }
        if (downloader == null) {
            throw new RegistryException(ref, null, installed(ref)
                    ? "installed copy does not match the pinned " + r.pinnedDigest().orElseThrow() + " and no registry is configured"
                    : "not installed and no registry is configured (pluginRegistryURL)");
        }
        InstalledPackage installed = downloader.install(ref, r.pinnedDigest());
        if (installed.downloaded()) {
            log.atInfo().addKeyValue("package", ref.name()).addKeyValue("version", ref.version())
                    .addKeyValue("requested", pv.version()).addKeyValue("file", installed.file())
                    .addKeyValue("sha256", installed.sha256()).log("package installed from the registry");
        }
        return ref.version();
    }

    private boolean matchesPin(PackageRef ref, String pin) {
        return new LockFile(layout).get(ref).map(e -> e.matchesDigest(pin)).orElse(false);
    }

    private boolean installed(PackageRef ref) {
        try {
            layout.resolve(ref);
            return true;
        } catch (PluginException missing) {
            return false;
        }
    }
}
