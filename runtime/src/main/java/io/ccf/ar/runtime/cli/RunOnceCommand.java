package io.ccf.ar.runtime.cli;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.app.PackageProvisioner;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.run.JobRunner;
import io.ccf.ar.runtime.run.JsonLinesResultSink;
import io.ccf.ar.runtime.run.ResultSink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ar run-once}: run the selected jobs now; each result is one JSON line on stdout. */
@Command(name = "run-once", mixinStandardHelpOptions = true,
        description = {"Run the selected jobs once, now, and print each result as one JSON line on stdout (logs go to stderr).",
                "Exit 0 iff every result has status SUCCESS and no error."})
final class RunOnceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--plan", paramLabel = "ID", description = "Only the jobs of this plan (repeatable).")
    List<String> plans = new ArrayList<>();

    @Option(names = "--job", paramLabel = "NAME",
            description = "Only this job: a job id (plan/task), or the name of a plugin from config.yml (repeatable).")
    List<String> jobs = new ArrayList<>();

    @Override
    public Integer call() {
        LoadedRuntime runtime = common.load(System.getenv());
        List<JobDefinition> selected = select(runtime.catalog());
        if (selected.isEmpty()) {
            System.err.println("ar run-once: no job matches " + describeSelection() + "; jobs: "
                    + runtime.catalog().jobs().stream().map(JobDefinition::id).toList());
            return 2;
        }
        AtomicInteger failed = new AtomicInteger();
        JsonLinesResultSink stdout = new JsonLinesResultSink(System.out);
        ResultSink sink = result -> {
            if (!result.ok()) {
                failed.incrementAndGet();
            }
            stdout.publish(result);
        };
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "execute");
            t.setDaemon(true);
            return t;
        });
        // ranges (^1.2) become the exact versions chosen, and missing versions are fetched
        JobCatalog provisioned = new PackageProvisioner(runtime.config()).provision(JobCatalog.of(selected));
        selected = provisioned.jobs();
        try (PluginManager plugins = new PluginManager(new PackageLayout(runtime.config().pluginsDir()), runtime.hostOptions())) {
            plugins.start(LoadedRuntime.pluginSpecs(provisioned));
            JobRunner runner = new JobRunner(plugins, sink, runtime.config().execution(), runtime.config().runtimeId(),
                    pool, Clock.systemDefaultZone());
            for (JobDefinition job : selected) {
                runner.run(job);
            }
        } finally {
            pool.shutdownNow();
        }
        return failed.get() == 0 ? 0 : 1;
    }

    private List<JobDefinition> select(JobCatalog catalog) {
        if (plans.isEmpty() && jobs.isEmpty()) {
            return catalog.jobs();
        }
        List<JobDefinition> selected = new ArrayList<>();
        for (JobDefinition job : catalog.jobs()) {
            boolean byPlan = plans.contains(job.planId());
            boolean byJob = jobs.contains(job.id()) || jobs.contains(JobCatalog.PLUGIN_JOB_PREFIX + job.id())
                    || (job.isPluginJob() && jobs.contains(job.id().substring(JobCatalog.PLUGIN_JOB_PREFIX.length())));
            if (byPlan || byJob) {
                selected.add(job);
            }
        }
        return selected;
    }

    private String describeSelection() {
        return (plans.isEmpty() ? "" : "--plan " + plans + " ") + (jobs.isEmpty() ? "" : "--job " + jobs);
    }
}
