package io.ccf.ar.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ccf.ar.runtime.app.LoadedRuntime;
import io.ccf.ar.runtime.app.PackageProvisioner;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.run.SubjectSelection;
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
        // ranges (^1.2) become the exact versions chosen, and missing versions are fetched
        JobCatalog provisioned = new PackageProvisioner(runtime.config()).provision(JobCatalog.of(selected));
        try (PluginManager plugins = new PluginManager(new PackageLayout(runtime.config().pluginsDir()), runtime.hostOptions());
             JsonLinesRun run = new JsonLinesRun(plugins, runtime.config().execution(), runtime.config().runtimeId(), System.out)) {
            plugins.start(LoadedRuntime.pluginSpecs(provisioned));
            for (JobDefinition job : provisioned.jobs()) {
                run.run(job, SubjectSelection.ALL);
            }
            return run.failed().isEmpty() ? 0 : 1;
        }
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
