package io.ccf.ar.runtime.cli;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.plugin.PluginPackage;
import io.ccf.ar.runtime.registry.LockFile;
import io.ccf.ar.runtime.registry.RegistryException;
import io.ccf.ar.runtime.registry.VersionResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ar plugins}: what is on disk and whether it still matches plugins.lock, what is configured,
 * and whether each configured version (ranges resolved against what is installed) is present.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List plugin packages on disk with their plugins.lock state, and configured plugins with whether each is present.",
                "Exit 1 when a configured package is missing or an installed one no longer matches plugins.lock."})
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        LoadedRuntime runtime = common.load(System.getenv());
        PackageLayout layout = new PackageLayout(runtime.config().pluginsDir());
        LockFile lock = new LockFile(layout);
        int problems = 0;
        System.out.println("installed in " + layout.pluginsDir() + ":");
        for (PackageRef ref : layout.installed()) {
            String how;
            try {
                PluginPackage pkg = layout.resolve(ref);
                how = pkg.kind().name().toLowerCase() + " " + pkg.file().getFileName();
            } catch (PluginException e) {
                how = "not runnable: " + e.getMessage();
            }
            Optional<String> state = lockState(lock, ref);
            if (state.isPresent() && state.get().startsWith("MODIFIED")) {
                problems++;
            }
            System.out.println("  " + ref + "  " + how + state.map(s -> "  " + s).orElse(""));
        }
        for (Map.Entry<String, Map<String, LockFile.Entry>> pkg : lock.entries().entrySet()) {
            for (String version : pkg.getValue().keySet()) {
                PackageRef ref = new PackageRef(pkg.getKey(), version);
                if (!layout.installed().contains(ref)) {
                    System.out.println("  " + ref + "  in " + LockFile.FILE_NAME + " but not on disk (removed by hand?)");
                }
            }
        }

        System.out.println("configured:");
        VersionResolver installedOnly = new VersionResolver(layout, Optional.empty());
        for (ActivityDefinition activity : configured(runtime)) {
            String state;
            String shown = activity.packageName() + "@" + activity.version();
            try {
                PackageRef ref = installedOnly.resolve(activity.packageName(), activity.version()).ref();
                layout.resolve(ref);
                state = (ref.version().equals(activity.version()) ? "" : "-> " + ref.version() + " ") + "present";
            } catch (PluginException | RegistryException e) {
                state = runtime.config().pluginRegistryURL().isBlank() ? "MISSING"
                        : "MISSING (fetched from " + runtime.config().pluginRegistryURL() + " when the daemon starts)";
                problems++;
            }
            System.out.println("  " + activity.providerName() + "  " + shown + "  " + state);
        }
        return problems == 0 ? 0 : 1;
    }

    /** Empty for a package placed by hand (no lock entry); else verified or what is wrong. */
    private static Optional<String> lockState(LockFile lock, PackageRef ref) {
        Optional<LockFile.Entry> entry = lock.get(ref);
        if (entry.isEmpty()) {
            return Optional.of("not in " + LockFile.FILE_NAME + " (placed by hand)");
        }
        try {
            lock.requireVerified(ref);
            LockFile.Entry e = entry.get();
            return Optional.of("verified sha256:" + e.sha256().substring(0, 12) + "..."
                    + (e.source() == null ? "" : " from " + e.source()));
        } catch (RegistryException e) {
            return Optional.of("MODIFIED: " + e.getMessage());
        }
    }

    /** One line per distinct (plugin, package, version) that a job uses. */
    private static Set<ActivityDefinition> configured(LoadedRuntime runtime) {
        Map<String, ActivityDefinition> byKey = new java.util.LinkedHashMap<>();
        for (JobDefinition job : runtime.catalog().jobs()) {
            for (ActivityDefinition a : job.activities()) {
                byKey.putIfAbsent(a.providerName() + "\u0000" + a.packageName() + "\u0000" + a.version(), a);
            }
        }
        return new LinkedHashSet<>(byKey.values());
    }
}
