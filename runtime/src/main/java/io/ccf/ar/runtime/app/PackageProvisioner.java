package io.ccf.ar.runtime.app;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.PackageVersion;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.registry.DownloaderOptions;
import io.ccf.ar.runtime.registry.InstalledPackage;
import io.ccf.ar.runtime.registry.PackageDownloader;
import io.ccf.ar.runtime.registry.RegistryException;

/**
 * Fetches the package versions that jobs need and that are not on disk, from {@code pluginRegistryURL}
 * (nothing to do without one). A package that cannot be fetched is logged; its activities then
 * report "not installed" until it is.
 */
public final class PackageProvisioner {
    private static final Logger log = LoggerFactory.getLogger(PackageProvisioner.class);

    private final PackageLayout layout;
    private final PackageDownloader downloader;

    public PackageProvisioner(RuntimeConfig config) {
        this.layout = new PackageLayout(config.pluginsDir());
        this.downloader = config.pluginRegistryURL().isBlank() ? null
                : new PackageDownloader(URI.create(config.pluginRegistryURL()), layout, DownloaderOptions.defaults(), null);
    }

    /** Installs what is missing; returns the failures by package (empty when all are present). */
    public Map<PackageVersion, RegistryException> ensureInstalled(Collection<PackageVersion> needed) {
        Map<PackageVersion, RegistryException> failures = new LinkedHashMap<>();
        if (downloader == null) {
            return failures;
        }
        for (PackageVersion pv : needed) {
            PackageRef ref = new PackageRef(pv.packageName(), pv.version());
            if (installed(ref)) {
                continue;
            }
            try {
                InstalledPackage installed = downloader.install(ref);
                log.atInfo().addKeyValue("package", ref.name()).addKeyValue("version", ref.version())
                        .addKeyValue("file", installed.file()).addKeyValue("sha256", installed.sha256())
                        .log("package installed from the registry");
            } catch (RegistryException e) {
                failures.put(pv, e);
                log.atError().addKeyValue("package", ref.name()).addKeyValue("version", ref.version())
                        .log("package not installed: {}", e.getMessage());
            }
        }
        return failures;
    }

    /** Installs one package version now (ar install). */
    public InstalledPackage install(PackageRef ref) {
        if (downloader == null) {
            throw new IllegalArgumentException("no plugin registry: set pluginRegistryURL in the config or pass --registry");
        }
        return downloader.install(ref);
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
