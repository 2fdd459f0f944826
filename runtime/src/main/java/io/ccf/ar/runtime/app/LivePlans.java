package io.ccf.ar.runtime.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.RejectedPlanFile;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.plans.PlanRegistry;
import io.ccf.ar.runtime.plans.PlanStore;
import io.ccf.ar.runtime.plans.RunRejectedException;
import io.ccf.ar.runtime.plans.RunRequest;
import io.ccf.ar.runtime.plans.RunTicket;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.run.JobDispatcher;
import io.ccf.ar.runtime.run.JobRunner;

/**
 * The plans this runtime schedules, and every way they change while it runs: plan events and
 * ad-hoc requests ({@link PlanRegistry}), and a reload of config.yml and the plan files. Each change
 * is compiled first (a conflict throws and changes nothing), then the package versions it names are
 * fetched and started, the catalog swapped, the schedule told, and versions no plan uses retired.
 * Changes are applied one at a time.
 */
public final class LivePlans implements PlanRegistry {
    private static final Logger log = LoggerFactory.getLogger(LivePlans.class);

    private final PlanStore store;
    private final PackageProvisioner packages;
    private final PluginManager plugins;
    private final JobDispatcher dispatcher;
    private final Consumer<JobCatalog> scheduleChanged;
    private final Object lock = new Object();
    private volatile JobCatalog catalog = JobCatalog.empty();
    private RuntimeConfig config; // its plugins section changes on reload; the rest needs a restart
    private List<PlanSpec> plans = List.of();
    private Set<String> skippedFiles = Set.of(); // plan files skipped at the last load, with their reasons

    /**
     * @param scheduleChanged told the new catalog after every change (not at {@link #loadStored()}: the
     *                        scheduler starts from {@link #catalog()})
     */
    public LivePlans(RuntimeConfig config, PlanStore store, PackageProvisioner packages, PluginManager plugins,
                     JobDispatcher dispatcher, Consumer<JobCatalog> scheduleChanged) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = store;
        this.packages = packages;
        this.plugins = plugins;
        this.dispatcher = dispatcher;
        this.scheduleChanged = scheduleChanged;
    }

    /** The jobs scheduled now. */
    public JobCatalog catalog() {
        return catalog;
    }

    /** The plans scheduled now. */
    public List<PlanSpec> plans() {
        synchronized (lock) {
            return plans;
        }
    }

    /**
     * At start: the plan files that fit (an invalid one, or one whose jobs conflict with others, is
     * logged and skipped), their packages fetched, their plugins started. Returns the plans loaded.
     */
    public List<PlanSpec> loadStored() {
        synchronized (lock) {
            JobCatalog.Compiled compiled = JobCatalog.compileSkippingConflicts(config, store.plans());
            logSkipped(compiled.plans().rejected());
            skippedFiles = describe(compiled.plans().rejected());
            plans = compiled.plans().plans();
            catalog = packages.provision(compiled.catalog());
            plugins.start(LoadedRuntime.pluginSpecs(catalog));
            return plans;
        }
    }

    /**
     * Applies a re-read config.yml (its {@code plugins} section) and the plan files as they are on disk
     * now. All or nothing: a plan file that newly fails to load, or jobs that conflict, refuse the
     * whole reload and the running plans stay (a file already skipped before stays skipped).
     *
     * @return whether anything changed
     * @throws ConfigException naming the file, line and problem, when the reload is refused
     */
    public boolean reload(RuntimeConfig next) {
        synchronized (lock) {
            JobCatalog.Compiled compiled = JobCatalog.compileSkippingConflicts(next, store.plans());
            List<RejectedPlanFile> newlySkipped = compiled.plans().rejected().stream()
                    .filter(r -> !skippedFiles.contains(describe(r))).toList();
            if (!newlySkipped.isEmpty()) {
                throw new ConfigException(newlySkipped.stream().flatMap(r -> r.problems().stream()).toList());
            }
            List<PlanSpec> loaded = compiled.plans().plans();
            boolean changed = !byId(loaded).equals(byId(plans)) || !next.plugins().equals(config.plugins());
            if (changed) {
                replace(loaded, next); // a compile error throws here, before anything changed
            }
            config = next;
            skippedFiles = describe(compiled.plans().rejected());
            return changed;
        }
    }

    @Override
    public void apply(PlanSpec plan) {
        synchronized (lock) {
            List<PlanSpec> next = new ArrayList<>(plans.stream().filter(p -> !p.id().equals(plan.id())).toList());
            next.add(plan);
            replace(next, config);
        }
    }

    @Override
    public void check(PlanSpec plan) {
        synchronized (lock) {
            checkAgainst(plans, plan);
        }
    }

    /** Compiles {@code current} with {@code plan} in place of its namesake; throws what would conflict. */
    void checkAgainst(List<PlanSpec> current, PlanSpec plan) {
        List<PlanSpec> next = new ArrayList<>(current.stream().filter(p -> !p.id().equals(plan.id())).toList());
        next.add(plan);
        JobCatalog.compile(config, next);
    }

    @Override
    public boolean remove(String planId) {
        synchronized (lock) {
            if (plans.stream().noneMatch(p -> p.id().equals(planId))) {
                return false;
            }
            replace(plans.stream().filter(p -> !p.id().equals(planId)).toList(), config);
            return true;
        }
    }

    /** Compiles first (a conflict throws and changes nothing), then swaps the catalog and reschedules. */
    private void replace(List<PlanSpec> next, RuntimeConfig with) {
        JobCatalog compiled = packages.provision(JobCatalog.compile(with, next)); // a new version is fetched, then started
        plans = List.copyOf(next);
        catalog = compiled;
        List<PluginSpec> specs = LoadedRuntime.pluginSpecs(compiled);
        plugins.start(specs);
        plugins.retainOnly(specs); // versions no plan uses any more stop once idle
        scheduleChanged.accept(compiled);
    }

    @Override
    public RunTicket runNow(RunRequest request) {
        List<JobDefinition> jobs;
        if (request instanceof RunRequest.StoredPlan stored) {
            jobs = storedJobs(stored);
        } else if (request instanceof RunRequest.AdHocPlan adHoc) {
            RuntimeConfig current;
            synchronized (lock) {
                current = config;
            }
            jobs = packages.provision(JobCatalog.compile(current, List.of(adHoc.plan()))).jobsOfPlan(adHoc.plan().id());
            plugins.start(LoadedRuntime.pluginSpecs(JobCatalog.of(jobs)));
        } else {
            throw new RunRejectedException("unsupported request " + request.describe());
        }
        if (jobs.isEmpty()) {
            throw new RunRejectedException(request.describe() + " has no tasks to run");
        }
        String runId = JobRunner.newRunId();
        try {
            dispatcher.runNow(jobs, runId);
        } catch (IllegalStateException e) {
            throw new RunRejectedException(e.getMessage());
        }
        log.atInfo().addKeyValue("run", runId).addKeyValue("request", request.describe()).log("ad-hoc run accepted");
        return new RunTicket(runId);
    }

    private List<JobDefinition> storedJobs(RunRequest.StoredPlan request) {
        JobCatalog now = catalog;
        List<JobDefinition> jobs = now.jobsOfPlan(request.planId());
        if (jobs.isEmpty() && !now.planIds().contains(request.planId())) {
            throw new RunRejectedException("unknown plan \"" + request.planId() + "\"; plans: " + now.planIds());
        }
        if (!request.taskId().isEmpty()) {
            jobs = jobs.stream().filter(j -> j.taskId().equals(request.taskId())).toList();
            if (jobs.isEmpty()) {
                throw new RunRejectedException("plan \"" + request.planId() + "\" has no task \"" + request.taskId() + "\"");
            }
        }
        if (!request.activityId().isEmpty()) {
            JobDefinition job = jobs.get(0);
            List<ActivityDefinition> activity = job.activities().stream()
                    .filter(a -> a.id().equals(request.activityId())).toList();
            if (activity.isEmpty()) {
                throw new RunRejectedException("task \"" + request.taskId() + "\" of plan \"" + request.planId()
                        + "\" has no activity \"" + request.activityId() + "\"");
            }
            jobs = List.of(new JobDefinition(job.id(), job.planId(), job.title(), job.schedule(), job.componentId(),
                    job.controlId(), job.assessmentPlanId(), job.taskId(), activity));
        }
        return jobs;
    }

    private static void logSkipped(List<RejectedPlanFile> rejected) {
        rejected.forEach(file -> log.atError().addKeyValue("file", file.file())
                .addKeyValue("reason", String.join("; ", file.problems().stream().map(Object::toString).toList()))
                .log("plan file skipped"));
    }

    private static Map<String, PlanSpec> byId(List<PlanSpec> plans) {
        Map<String, PlanSpec> byId = new LinkedHashMap<>();
        plans.forEach(p -> byId.put(p.id(), p));
        return byId;
    }

    private static Set<String> describe(List<RejectedPlanFile> rejected) {
        Set<String> described = new LinkedHashSet<>();
        rejected.forEach(r -> described.add(describe(r)));
        return described;
    }

    private static String describe(RejectedPlanFile rejected) {
        return rejected.file() + "\u0000" + rejected.problems();
    }
}
