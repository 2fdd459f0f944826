package io.ccf.ar.runtime.faults;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ExecutionSettings;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.JobRunner;
import io.ccf.ar.runtime.run.RunReport;
import io.ccf.ar.runtime.testing.Processes;

/**
 * Real plugin processes under a real {@link PluginManager} and {@link JobRunner}, results kept in memory:
 * what the plugin fault scenarios share. Close it to stop the plugins.
 */
final class PluginFaultFixture implements AutoCloseable {
    private static final Pattern PID = Pattern.compile("\\(pid (\\d+)\\)");

    final Path pluginsDir;
    final TestPackages packages;
    final PluginManager plugins;
    /** Every result the runner published, in order. */
    final List<AssessmentResult> results = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final JobRunner runner;

    PluginFaultFixture(Path pluginsDir, PluginHostOptions options, int concurrency) {
        this.pluginsDir = pluginsDir;
        this.packages = new TestPackages(pluginsDir);
        this.plugins = new PluginManager(packages.layout(), options);
        this.runner = new JobRunner(plugins, results::add,
                new ExecutionSettings(Duration.ofMinutes(2), concurrency, Duration.ofSeconds(5)), "rt-faults", pool,
                Clock.systemUTC());
    }

    /** Restarts are not delayed: every call after a crash starts the plugin again (the scenarios count restarts). */
    static PluginHostOptions.Builder noBackoff() {
        return PluginHostOptions.builder().restartBackoff(Duration.ofNanos(1), Duration.ofNanos(1));
    }

    static JobDefinition job(PackageRef ref, Map<String, String> configuration) {
        return new JobDefinition("plan-f/task-f", "plan-f", "Fault", "* * * * * *", "comp", "ctl", "ap-f", "task-f",
                List.of(new ActivityDefinition("act-f", "Activity", SelectorSpec.EMPTY, "p", ref.name(), ref.version(),
                        configuration)));
    }

    /** One run; null when it did not end within {@code limit} (a hung run). */
    RunReport run(JobDefinition job, Duration limit) throws Exception {
        CompletableFuture<RunReport> run = CompletableFuture.supplyAsync(() -> runner.run(job), pool);
        try {
            return run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException hung) {
            return null;
        }
    }

    /** Pids named in result errors ("(pid N)"): each a process that died under a call. */
    Set<Long> pidsInErrors() {
        Set<Long> pids = new TreeSet<>();
        for (AssessmentResult r : results) {
            Matcher m = PID.matcher(r.error() == null ? "" : r.error());
            while (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
        }
        return pids;
    }

    long failures() {
        return results.stream().filter(r -> !r.ok()).count();
    }

    /** Live processes whose command line names the plugins directory (the plugins and their children), after waiting for them to go. */
    long processesLeft(Duration wait) throws InterruptedException {
        String marker = pluginsDir.toString();
        Processes.eventually(wait, () -> Processes.liveWithCommandLineContaining(marker).isEmpty());
        return Processes.liveWithCommandLineContaining(marker).size();
    }

    @Override
    public void close() {
        plugins.stop();
        pool.shutdownNow();
    }
}
