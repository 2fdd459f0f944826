package io.ccf.ar.runtime.app;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.RuntimeConfig;
import io.ccf.ar.runtime.fleet.FleetPresence;
import io.ccf.ar.runtime.fleet.LastErrorAppender;
import io.ccf.ar.runtime.fleet.RuntimeVersion;
import io.ccf.ar.runtime.fleet.StatusReporter;
import io.ccf.ar.runtime.messaging.JetStreamResultSink;
import io.ccf.ar.runtime.messaging.JetStreamTriggerQueue;
import io.ccf.ar.runtime.messaging.NatsConnections;
import io.ccf.ar.runtime.messaging.Redaction;
import io.ccf.ar.runtime.messaging.NatsLink;
import io.ccf.ar.runtime.messaging.StreamSetup;
import io.ccf.ar.runtime.plans.AssessmentRequestResponder;
import io.ccf.ar.runtime.plans.ControlPlaneClient;
import io.ccf.ar.runtime.plans.PackagePolicy;
import io.ccf.ar.runtime.plans.PlanEventListener;
import io.ccf.ar.runtime.plans.PlanRegistry;
import io.ccf.ar.runtime.plans.PlanStore;
import io.ccf.ar.runtime.plans.RunRejectedException;
import io.ccf.ar.runtime.plans.RunRequest;
import io.ccf.ar.runtime.plans.RunTicket;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.run.JobDispatcher;
import io.ccf.ar.runtime.run.JobRunner;
import io.ccf.ar.runtime.run.LoggingResultSink;
import io.ccf.ar.runtime.run.ResultSink;
import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.CronSchedule;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.ccf.ar.runtime.schedule.InProcessTriggerQueue;
import io.ccf.ar.runtime.schedule.SwitchableTriggerQueue;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.nats.client.Connection;

/**
 * The long-running runtime, wired from its parts (the composition root). Without an event bus:
 * in-process trigger queue, results in the log. With {@code eventBusURL}: JetStream trigger queue
 * shared with other runtimes, results to JetStream (spooled on disk while NATS is away), plan events
 * and assessment requests over NATS. Plans can change while it runs ({@link PlanRegistry}).
 */
public final class Daemon implements PlanRegistry {
    private static final long JOIN_RETRY_MILLIS = 2_000;
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final RuntimeConfig config;
    private final Clock clock;
    private final PlanStore store;
    private final PluginManager plugins;
    private final PackageProvisioner packages;
    private final ThreadPoolExecutor executePool;
    private final AtomicReference<JobCatalog> catalog = new AtomicReference<>(JobCatalog.empty());
    private final Object planLock = new Object();
    private List<PlanSpec> plans = List.of();
    private final NatsLink nats;
    private final ResultSink results;
    private final JobDispatcher dispatcher;
    private SwitchableTriggerQueue triggers;
    private volatile boolean stopping;
    private CronScheduler scheduler;
    private final List<AutoCloseable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean listened = new AtomicBoolean();
    private final LastErrorAppender lastError;
    private final FleetPresence fleet;
    private volatile PackagePolicy busPolicy = PackagePolicy.of(List.of(), Optional.of(List.of()), List.of());

    public Daemon(RuntimeConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.store = new PlanStore(config.assessmentsDir());
        this.plugins = new PluginManager(new PackageLayout(config.pluginsDir()), LoadedRuntime.hostOptions(config));
        this.packages = new PackageProvisioner(config);
        if (config.eventBusURL().isBlank()) {
            this.nats = null;
            this.results = new LoggingResultSink();
        } else {
            this.nats = NatsConnections.connectInBackground(config.eventBusURL(), config.runtimeId(), config.nats().auth());
            this.results = JetStreamResultSink.open(nats, config.nats());
        }
        // Execute calls: at most `concurrency` per run and maxConcurrentRuns runs, so this many threads at most
        int executeThreads = config.execution().concurrency() * config.execution().maxConcurrentRuns();
        this.executePool = new ThreadPoolExecutor(executeThreads, executeThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("execute"));
        executePool.allowCoreThreadTimeOut(true);
        JobRunner runner = new JobRunner(plugins, results, config.execution(), config.runtimeId(), executePool, clock);
        this.dispatcher = new JobDispatcher(catalog::get, runner, config.execution().maxConcurrentRuns(), config.timeZone());
        this.lastError = LastErrorAppender.attachToRoot();
        this.fleet = new FleetPresence(new StatusReporter(
                new StatusReporter.Identity(config.runtimeId(), RuntimeVersion.current(), clock.instant(), config.timeZone()),
                catalog::get, plugins, dispatcher::runsInFlight,
                results instanceof JetStreamResultSink sink ? sink::pending : () -> 0, lastError::last, clock),
                config.heartbeatInterval());
    }

    public void start() throws InterruptedException {
        log.atInfo().addKeyValue("runtimeId", config.runtimeId()).addKeyValue("pluginsDir", config.pluginsDir())
                .addKeyValue("eventBus", config.eventBusURL().isBlank() ? "none" : Redaction.url(config.eventBusURL()))
                .log("runtime starting");
        fetchPlansFromControlPlane();
        synchronized (planLock) {
            JobCatalog.Compiled compiled = compileStoredPlans();
            plans = compiled.plans().plans();
            busPolicy = busPolicy(plans);
            catalog.set(packages.provision(compiled.catalog()));
        }
        plugins.start(LoadedRuntime.pluginSpecs(catalog.get()));

        Optional<Connection> connection = nats == null ? Optional.empty() : nats.awaitConnection(config.nats().startWait());
        Optional<TriggerQueue> shared = connection.flatMap(this::jetStreamTriggers);
        triggers = new SwitchableTriggerQueue(shared.orElseGet(InProcessTriggerQueue::new));
        triggers.subscribe(dispatcher);
        scheduler = new CronScheduler(triggers, clock);
        scheduler.update(schedules(catalog.get(), config.timeZone()));
        scheduler.start();
        logJobs(catalog.get());
        connection.ifPresent(this::listen);
        if (nats != null && shared.isEmpty()) {
            if (connection.isEmpty()) {
                log.error("NATS at {} not reachable within {} ms: this runtime schedules on its own until NATS answers,"
                        + " then joins the shared schedule; results wait in the spool", Redaction.url(config.eventBusURL()),
                        config.nats().startWait().toMillis());
            }
            joinLater();
        }
    }

    /**
     * NATS or JetStream was not there at start: keep trying (woken by every reconnect, else every
     * {@value #JOIN_RETRY_MILLIS} ms) to set up the shared schedule, then move to it and start listening, once.
     */
    private void joinLater() {
        Semaphore wake = new Semaphore(0);
        nats.onConnected(wake::release);
        Thread t = new Thread(() -> {
            boolean listening = listened.get();
            while (!stopping) {
                Optional<Connection> connection = nats.connection().filter(c -> c.getStatus() == Connection.Status.CONNECTED);
                if (connection.isPresent()) {
                    if (!listening) {
                        listen(connection.get());
                        listening = true;
                    }
                    Optional<TriggerQueue> shared = jetStreamTriggers(connection.get());
                    if (shared.isPresent()) {
                        if (!stopping && triggers.switchTo(shared.get())) {
                            log.info("this runtime now takes its runs from the shared schedule at {}",
                                    Redaction.url(config.eventBusURL()));
                        } else {
                            shared.get().close();
                        }
                        return;
                    }
                }
                try {
                    wake.tryAcquire(JOIN_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "nats-join");
        t.setDaemon(true);
        t.start();
    }

    /** The JetStream trigger queue, or empty (logged) when JetStream cannot set it up yet. */
    private Optional<TriggerQueue> jetStreamTriggers(Connection connection) {
        try {
            StreamSetup.ensureResultsStream(connection, config.nats());
            return Optional.of(new JetStreamTriggerQueue(connection, config.nats(), config.runtimeId(), clock));
        } catch (Exception e) {
            log.error("cannot set up the JetStream schedule at {}: {}; scheduling on this runtime only until it can"
                    + " (retrying every {} ms)", Redaction.url(config.eventBusURL()), Redaction.text(e.getMessage()), JOIN_RETRY_MILLIS);
            return Optional.empty();
        }
    }


    /**
     * What plan events and ad-hoc requests may run (the {@code plans} section): config.yml's packages, and
     * {@code plans.allowedPackages} or, unset, the packages of the plan files loaded at start.
     */
    private PackagePolicy busPolicy(List<PlanSpec> stored) {
        PackagePolicy policy = PackagePolicy.of(config.plugins().stream().map(p -> p.packageName()).toList(),
                config.plans().allowedPackages(),
                stored.stream().flatMap(p -> PackagePolicy.packagesOf(p).stream()).toList());
        (policy.allowsEverything() ? log.atWarn() : log.atInfo())
                .addKeyValue("allowedPackages", policy.patterns()).addKeyValue("from", policy.origin())
                .log(policy.allowsEverything() ? "plan events and ad-hoc requests may run ANY package (\"*\" in "
                        + PackagePolicy.SETTING + "); anyone who may publish on the bus can run code here"
                        : "packages plan events and ad-hoc requests may name");
        return policy;
    }

    /** Subscribes to what {@code plans.events} / {@code plans.requests} turn on, and says what is off. */
    private void listen(Connection connection) {
        if (!listened.compareAndSet(false, true)) {
            return;
        }
        if (config.plans().events()) {
            PlanEventListener events = new PlanEventListener(connection, store, this, config.runtimeId(), busPolicy);
            events.start();
            listeners.add(events);
        } else {
            log.atWarn().addKeyValue("subject", PlanEventListener.SUBJECT).addKeyValue("setting", "plans.events")
                    .log("plan events are off (plans.events: false): not subscribed; plans change only through"
                            + " plan files and the control plane");
        }
        if (config.plans().requests()) {
            AssessmentRequestResponder requests = new AssessmentRequestResponder(connection, this, busPolicy);
            requests.start();
            listeners.add(requests);
        } else {
            log.atWarn().addKeyValue("subject", AssessmentRequestResponder.SUBJECT).addKeyValue("setting", "plans.requests")
                    .log("ad-hoc requests are off (plans.requests: false): not subscribed");
        }
        listeners.add(fleet.start(connection)); // runtime.status answers and heartbeats (ar status)
    }

    /** The plan files that fit; an invalid one, or one whose jobs conflict with others, is logged and skipped. */
    private JobCatalog.Compiled compileStoredPlans() {
        JobCatalog.Compiled compiled = JobCatalog.compileSkippingConflicts(config, store.plans());
        compiled.plans().rejected().forEach(file -> log.atError().addKeyValue("file", file.file())
                .addKeyValue("reason", String.join("; ", file.problems().stream().map(Object::toString).toList()))
                .log("plan file skipped"));
        return compiled;
    }

    /** The original's behaviour: take the control plane's plans when it answers, else the files already here. */
    private void fetchPlansFromControlPlane() {
        if (config.controlPlaneURL().isBlank()) {
            return;
        }
        try {
            List<PlanSpec> fetched = new ControlPlaneClient().fetchJobs(URI.create(config.controlPlaneURL()), Duration.ofSeconds(10));
            for (PlanSpec plan : fetched) {
                try {
                    // against the stored plans that fit: a conflicting plan is never stored
                    checkAgainst(JobCatalog.compileSkippingConflicts(config, store.plans()).plans().plans(), plan);
                    store.put(plan);
                } catch (ConfigException e) {
                    log.error("plan {} from the control plane not stored: {}", plan.id(), e.getMessage());
                }
            }
            log.info("{} plan(s) from the control plane at {}", fetched.size(), config.controlPlaneURL());
        } catch (RuntimeException e) {
            log.warn("control plane at {} did not give the plans ({}); starting from the plan files in {}",
                    config.controlPlaneURL(), e.getMessage(), config.assessmentsDir());
        }
    }

    @Override
    public void apply(PlanSpec plan) {
        synchronized (planLock) {
            List<PlanSpec> next = new ArrayList<>(plans.stream().filter(p -> !p.id().equals(plan.id())).toList());
            next.add(plan);
            replacePlans(next);
        }
    }

    @Override
    public void check(PlanSpec plan) {
        synchronized (planLock) {
            checkAgainst(plans, plan);
        }
    }

    /** Compiles {@code current} with {@code plan} in place of its namesake; throws what would conflict. */
    private void checkAgainst(List<PlanSpec> current, PlanSpec plan) {
        List<PlanSpec> next = new ArrayList<>(current.stream().filter(p -> !p.id().equals(plan.id())).toList());
        next.add(plan);
        JobCatalog.compile(config, next);
    }

    @Override
    public boolean remove(String planId) {
        synchronized (planLock) {
            if (plans.stream().noneMatch(p -> p.id().equals(planId))) {
                return false;
            }
            replacePlans(plans.stream().filter(p -> !p.id().equals(planId)).toList());
            return true;
        }
    }

    /** Compiles first (a conflict throws and changes nothing), then swaps the catalog and reschedules. */
    private void replacePlans(List<PlanSpec> next) {
        JobCatalog compiled = packages.provision(JobCatalog.compile(config, next)); // a new version is fetched, then started
        plans = List.copyOf(next);
        catalog.set(compiled);
        List<PluginSpec> specs = LoadedRuntime.pluginSpecs(compiled);
        plugins.start(specs);
        plugins.retainOnly(specs); // versions no plan uses any more stop once idle
        if (scheduler != null) {
            scheduler.update(schedules(compiled, config.timeZone()));
        }
        logJobs(compiled);
    }

    @Override
    public RunTicket runNow(RunRequest request) {
        List<JobDefinition> jobs;
        if (request instanceof RunRequest.StoredPlan stored) {
            jobs = storedJobs(stored);
        } else if (request instanceof RunRequest.AdHocPlan adHoc) {
            jobs = packages.provision(JobCatalog.compile(config, List.of(adHoc.plan()))).jobsOfPlan(adHoc.plan().id());
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
        List<JobDefinition> jobs = catalog.get().jobsOfPlan(request.planId());
        if (jobs.isEmpty() && !catalog.get().planIds().contains(request.planId())) {
            throw new RunRejectedException("unknown plan \"" + request.planId() + "\"; plans: " + catalog.get().planIds());
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

    /** Stops listening and scheduling, lets runs in flight finish within the grace period, stops every plugin. */
    public void stop() {
        stopping = true;
        log.info("runtime stopping: no new runs; waiting up to {} ms for runs in flight",
                config.execution().gracePeriod().toMillis());
        for (AutoCloseable listener : listeners) {
            try {
                listener.close();
            } catch (Exception e) {
                log.warn("closing {}: {}", listener, e.getMessage());
            }
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (triggers != null) {
            triggers.close();
        }
        boolean drained = dispatcher.drain(config.execution().gracePeriod());
        executePool.shutdownNow();
        plugins.stop();
        if (results instanceof JetStreamResultSink sink) {
            try {
                sink.awaitDrained(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink.close();
        }
        if (nats != null) {
            nats.close();
        }
        log.atInfo().addKeyValue("runsFinished", drained).log("runtime stopped");
        lastError.close();
    }

    public PluginManager plugins() {
        return plugins;
    }

    private void logJobs(JobCatalog jobs) {
        for (JobDefinition job : jobs.jobs()) {
            log.atInfo().addKeyValue("job", job.id()).addKeyValue("schedule", job.schedule())
                    .addKeyValue("next", scheduler == null ? "not started"
                            : scheduler.nextFire(job.id()).map(Object::toString).orElse("never"))
                    .log("job scheduled");
        }
    }

    static Map<String, CronSchedule> schedules(JobCatalog jobs, ZoneId timeZone) {
        Map<String, CronSchedule> schedules = new LinkedHashMap<>();
        for (JobDefinition job : jobs.jobs()) {
            schedules.put(job.id(), CronParser.parse(job.schedule(), timeZone));
        }
        return schedules;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
