package io.ccf.ar.runtime.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.PlanDirectory;
import io.ccf.ar.runtime.config.PlanLoadResult;
import io.ccf.ar.runtime.config.PluginHostSettings;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.config.RuntimeConfigLoader;
import io.ccf.ar.runtime.files.CachingFileHasher;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.registry.LockFile;
import io.ccf.ar.runtime.version.VersionRequirement;

/**
 * Config file, plan files and the jobs compiled from them: what every command starts from.
 * A bad config file is fatal ({@link io.ccf.ar.runtime.config.ConfigException}); a bad plan file, or one whose
 * jobs conflict with others, is reported in {@link #plans()} and skipped.
 */
public record LoadedRuntime(RuntimeConfig config, PlanLoadResult plans, JobCatalog catalog) {

    public static LoadedRuntime load(Path configFile, Map<String, String> env) {
        RuntimeConfig config = new RuntimeConfigLoader(env).load(configFile);
        // a plan that conflicts with config.yml or another plan is skipped like an invalid file, not fatal
        JobCatalog.Compiled compiled = JobCatalog.compileSkippingConflicts(config, PlanDirectory.load(config.assessmentsDir()));
        return new LoadedRuntime(config, compiled.plans(), compiled.catalog());
    }

    /**
     * One plugin per (provider name, package version) used by any job; the first configuration seen goes to Init.
     * Versions that are not exact (a range nothing matched) are left out: their activities report why.
     */
    public List<PluginSpec> pluginSpecs() {
        return pluginSpecs(catalog);
    }

    public static List<PluginSpec> pluginSpecs(JobCatalog catalog) {
        Map<String, PluginSpec> specs = new LinkedHashMap<>();
        for (JobDefinition job : catalog.jobs()) {
            for (ActivityDefinition activity : job.activities()) {
                if (!VersionRequirement.isExact(activity.version())) {
                    continue;
                }
                PackageRef ref = new PackageRef(activity.packageName(), activity.version());
                specs.putIfAbsent(activity.providerName() + "\u0000" + ref,
                        new PluginSpec(activity.providerName(), ref, activity.configuration()));
            }
        }
        return new ArrayList<>(specs.values());
    }

    public PluginHostOptions hostOptions() {
        return hostOptions(config);
    }

    public static PluginHostOptions hostOptions(RuntimeConfig config) {
        PluginHostOptions.Builder builder = hostOptions(config.runtimeId(), config.pluginHost());
        // A package installed from the registry must still match its hash in plugins.lock at every launch;
        // one placed by hand (no lock entry) is launched as it is. A file unchanged since it was last hashed
        // (same inode, size, mtime and ctime) is not read again.
        CachingFileHasher hasher = new CachingFileHasher();
        builder.fileHasher(hasher);
        LockFile lock = new LockFile(new PackageLayout(config.pluginsDir()), hasher);
        builder.packageVerifier(pkg -> {
            if (lock.get(pkg.ref()).isPresent()) {
                lock.requireVerified(pkg.ref());
            }
        });
        return builder.build();
    }

    /**
     * The {@code pluginHost} settings as host options, without the plugins.lock check (for a plugin run from a
     * file: {@code ar run-plugin} passes {@link PluginHostSettings#DEFAULTS}, the daemon's defaults).
     */
    public static PluginHostOptions.Builder hostOptions(String runtimeId, PluginHostSettings settings) {
        PluginHostOptions.Builder builder = PluginHostOptions.builder()
                .runtimeId(runtimeId)
                .startTimeout(settings.startTimeout())
                .callTimeout(settings.callTimeout())
                .stopTimeout(settings.stopTimeout())
                .maxMessageSize(settings.maxMessageSize())
                .autoMTLS(settings.autoMTLS()).environment(settings.environment());
        settings.jvmOptions().ifPresent(builder::jvmOptions);
        settings.java().ifPresent(builder::javaCommand);
        return builder;
    }
}
