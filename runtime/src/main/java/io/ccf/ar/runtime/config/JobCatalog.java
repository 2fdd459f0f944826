package io.ccf.ar.runtime.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable snapshot of every job the runtime should schedule, compiled from config.yml's plugin
 * entries and the loaded plans. The scheduler and plugin host only need this, not the two
 * configuration forms. Iteration order is config plugins first, then plans in the order given.
 * Inputs are assumed already validated by the loaders; only cross-source conflicts are checked here.
 */
public final class JobCatalog {
    /** Plugin jobs are named {@code plugin/<name>}. */
    public static final String PLUGIN_JOB_PREFIX = "plugin/";

    private static final JobCatalog EMPTY = new JobCatalog(Map.of(), Set.of(), Map.of());

    private final Map<String, JobDefinition> jobsById;
    private final Set<PackageVersion> requiredPackages;
    private final Map<String, List<JobDefinition>> jobsByPlanId;

    private JobCatalog(Map<String, JobDefinition> jobsById, Set<PackageVersion> requiredPackages,
            Map<String, List<JobDefinition>> jobsByPlanId) {
        this.jobsById = jobsById;
        this.requiredPackages = requiredPackages;
        this.jobsByPlanId = jobsByPlanId;
    }

    public static JobCatalog empty() {
        return EMPTY;
    }

    /**
     * @throws ConfigException when two jobs get the same id (e.g. plugin "x" and plan "plugin"
     *                         task "x") or two plans share an id; problems name both sources
     */
    public static JobCatalog compile(RuntimeConfig config, List<PlanSpec> plans) {
        ProblemCollector problems = new ProblemCollector(config.configFile().toString());
        Assembly assembly = new Assembly(config, problems);
        for (PlanSpec plan : plans) {
            List<ConfigProblem> conflicts = assembly.conflicts(plan);
            conflicts.forEach(problems::add);
            if (conflicts.isEmpty()) {
                assembly.add(plan);
            }
        }
        problems.throwIfAny();
        return assembly.catalog();
    }

    /** The catalog of the plans that fit, and the loaded plans with those that conflict moved to the rejected. */
    public record Compiled(JobCatalog catalog, PlanLoadResult plans) {
    }

    /**
     * Like {@link #compile}, but a plan whose jobs conflict with config.yml's or an earlier plan's is left
     * out (all its tasks) and reported as a rejected file, so one stored plan cannot stop the runtime.
     *
     * @throws ConfigException only for conflicts within config.yml itself
     */
    public static Compiled compileSkippingConflicts(RuntimeConfig config, PlanLoadResult loaded) {
        ProblemCollector problems = new ProblemCollector(config.configFile().toString());
        Assembly assembly = new Assembly(config, problems);
        problems.throwIfAny();
        List<PlanSpec> accepted = new ArrayList<>();
        List<RejectedPlanFile> rejected = new ArrayList<>(loaded.rejected());
        for (PlanSpec plan : loaded.plans()) {
            List<ConfigProblem> conflicts = assembly.conflicts(plan);
            if (conflicts.isEmpty()) {
                assembly.add(plan);
                accepted.add(plan);
            } else {
                rejected.add(new RejectedPlanFile(Path.of(plan.source()), conflicts));
            }
        }
        return new Compiled(assembly.catalog(), new PlanLoadResult(accepted, rejected));
    }

    /** Jobs being gathered, with where each id came from so a conflict can name both sides. */
    private static final class Assembly {
        private final Map<String, JobDefinition> jobs = new LinkedHashMap<>();
        private final Map<String, String> origins = new LinkedHashMap<>(); // job id -> human description
        private final Map<String, List<JobDefinition>> byPlan = new LinkedHashMap<>();
        private final Map<String, PlanSpec> planById = new LinkedHashMap<>();

        Assembly(RuntimeConfig config, ProblemCollector problems) {
            for (int i = 0; i < config.plugins().size(); i++) {
                PluginEntry plugin = config.plugins().get(i);
                JobDefinition job = pluginJob(plugin);
                String origin = "plugin \"" + plugin.name() + "\" in " + config.configFile();
                String first = origins.putIfAbsent(job.id(), origin);
                if (first != null) {
                    problems.add(new ConfigProblem(config.configFile().toString(), 0, 0, "plugins[" + i + "].name",
                            "job id \"" + job.id() + "\" of " + origin + " is already used by " + first));
                } else {
                    jobs.put(job.id(), job);
                }
            }
        }

        /** What adding the plan would clash with; empty when it fits. Changes nothing. */
        List<ConfigProblem> conflicts(PlanSpec plan) {
            PlanSpec first = planById.get(plan.id());
            if (first != null) {
                return List.of(new ConfigProblem(plan.source(), 0, 0, "id",
                        "duplicate plan id \"" + plan.id() + "\": also defined in " + first.source()));
            }
            List<ConfigProblem> problems = new ArrayList<>();
            Map<String, String> own = new LinkedHashMap<>();
            for (int i = 0; i < plan.tasks().size(); i++) {
                TaskSpec task = plan.tasks().get(i);
                String id = taskJob(plan, task).id();
                String origin = "task \"" + task.id() + "\" of plan \"" + plan.id() + "\" in " + plan.source();
                String firstOrigin = origins.containsKey(id) ? origins.get(id) : own.putIfAbsent(id, origin);
                if (firstOrigin != null) {
                    problems.add(new ConfigProblem(plan.source(), 0, 0, "tasks[" + i + "].id",
                            "job id \"" + id + "\" of " + origin + " is already used by " + firstOrigin));
                }
            }
            return problems;
        }

        /** Adds a plan {@link #conflicts} found nothing against. */
        void add(PlanSpec plan) {
            planById.put(plan.id(), plan);
            List<JobDefinition> planJobs = new ArrayList<>();
            for (TaskSpec task : plan.tasks()) {
                JobDefinition job = taskJob(plan, task);
                origins.put(job.id(), "task \"" + task.id() + "\" of plan \"" + plan.id() + "\" in " + plan.source());
                jobs.put(job.id(), job);
                planJobs.add(job);
            }
            byPlan.put(plan.id(), List.copyOf(planJobs));
        }

        JobCatalog catalog() {
            return of(jobs, byPlan);
        }
    }

    /** A catalog of already validated jobs (an ad-hoc run, a test); ids must be unique. */
    public static JobCatalog of(List<JobDefinition> jobList) {
        Map<String, JobDefinition> jobs = new LinkedHashMap<>();
        Map<String, List<JobDefinition>> byPlan = new LinkedHashMap<>();
        for (JobDefinition job : jobList) {
            if (jobs.putIfAbsent(job.id(), job) != null) {
                throw new IllegalArgumentException("duplicate job id \"" + job.id() + "\"");
            }
            if (!job.planId().isEmpty()) {
                byPlan.computeIfAbsent(job.planId(), k -> new ArrayList<>()).add(job);
            }
        }
        byPlan.replaceAll((k, v) -> List.copyOf(v));
        return of(jobs, byPlan);
    }

    /**
     * This catalog with package versions replaced as {@code resolved} says (a range such as {@code ^1.2}
     * by the exact version chosen for it); activities whose version is not in the map keep it.
     */
    public JobCatalog withVersions(Map<PackageVersion, String> resolved) {
        if (resolved.isEmpty()) {
            return this;
        }
        Map<String, JobDefinition> jobs = new LinkedHashMap<>();
        Map<String, List<JobDefinition>> byPlan = new LinkedHashMap<>();
        jobsByPlanId.keySet().forEach(planId -> byPlan.put(planId, new ArrayList<>()));
        for (JobDefinition job : jobsById.values()) {
            List<ActivityDefinition> activities = job.activities().stream().map(a -> {
                String version = resolved.get(a.packageVersion());
                return version == null ? a : new ActivityDefinition(a.id(), a.title(), a.selector(), a.providerName(),
                        a.packageName(), version, a.configuration());
            }).toList();
            JobDefinition copy = new JobDefinition(job.id(), job.planId(), job.title(), job.schedule(), job.componentId(),
                    job.controlId(), job.assessmentPlanId(), job.taskId(), activities);
            jobs.put(copy.id(), copy);
            if (!copy.planId().isEmpty()) {
                byPlan.computeIfAbsent(copy.planId(), k -> new ArrayList<>()).add(copy);
            }
        }
        byPlan.replaceAll((k, v) -> List.copyOf(v));
        return of(jobs, byPlan);
    }

    private static JobCatalog of(Map<String, JobDefinition> jobs, Map<String, List<JobDefinition>> byPlan) {
        Set<PackageVersion> packages = new LinkedHashSet<>();
        for (JobDefinition job : jobs.values()) {
            for (ActivityDefinition activity : job.activities()) {
                packages.add(activity.packageVersion());
            }
        }
        // unmodifiable views over private copies: immutable, and keeps the documented order (Map.copyOf would not)
        return new JobCatalog(Collections.unmodifiableMap(jobs), Collections.unmodifiableSet(packages),
                Collections.unmodifiableMap(byPlan));
    }

    private static JobDefinition pluginJob(PluginEntry plugin) {
        ActivityDefinition activity = new ActivityDefinition(plugin.name(), plugin.name(), SelectorSpec.EMPTY,
                plugin.name(), plugin.packageName(), plugin.version(), plugin.configuration());
        return new JobDefinition(PLUGIN_JOB_PREFIX + plugin.name(), "", plugin.name(), plugin.schedule(),
                "", "", "", "", List.of(activity));
    }

    private static JobDefinition taskJob(PlanSpec plan, TaskSpec task) {
        List<ActivityDefinition> activities = new ArrayList<>();
        for (ActivitySpec a : task.activities()) {
            ProviderSpec p = a.provider();
            activities.add(new ActivityDefinition(a.id(), a.title(), a.selector(), p.name(), p.packageName(),
                    p.version(), p.configuration()));
        }
        return new JobDefinition(plan.id() + "/" + task.id(), plan.id(), task.title(), task.schedule(),
                plan.componentId(), plan.controlId(), plan.assessmentPlanId(), task.id(), activities);
    }

    /** All jobs, in catalog order. */
    public List<JobDefinition> jobs() {
        return List.copyOf(jobsById.values());
    }

    public Map<String, JobDefinition> jobsById() {
        return jobsById;
    }

    public Optional<JobDefinition> job(String id) {
        return Optional.ofNullable(jobsById.get(id));
    }

    /** The jobs of one plan (one per task); empty for an unknown plan id. */
    public List<JobDefinition> jobsOfPlan(String planId) {
        return jobsByPlanId.getOrDefault(planId, List.of());
    }

    public Set<String> planIds() {
        return Collections.unmodifiableSet(jobsByPlanId.keySet());
    }

    /** Every (package, version) some job's activities use: what must be installed before scheduling. */
    public Set<PackageVersion> requiredPackages() {
        return requiredPackages;
    }
}
