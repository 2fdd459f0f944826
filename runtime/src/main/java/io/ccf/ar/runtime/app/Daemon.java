package io.ccf.ar.runtime.app;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import io.ccf.ar.runtime.ops.Operations;
import io.ccf.ar.runtime.ops.RuntimeView;
import io.ccf.ar.runtime.plans.AssessmentRequestResponder;
import io.ccf.ar.runtime.plans.PackagePolicy;
import io.ccf.ar.runtime.plans.PlanEventListener;
import io.ccf.ar.runtime.plans.PlanStore;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PluginManager;
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
 * The long-running runtime, wired from its parts (the composition root) and taken through its
 * {@link RuntimeLifecycle}. Without an event bus: in-process trigger queue, results in the log. With
 * {@code eventBusURL}: JetStream trigger queue shared with other runtimes, results to JetStream (spooled on
 * disk while NATS is away), plan events and assessment requests over NATS. The plans it schedules live in
 * {@link LivePlans}; {@link #reload} applies a re-read config.yml and plan files.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final RuntimeConfig config;
    private final Clock clock;
    private final RuntimeLifecycle lifecycle;
    private final PlanStore store;
    private final PluginManager plugins;
    private final ThreadPoolExecutor executePool;
    private final NatsLink nats;
    private final ResultSink results;
    private final JobDispatcher dispatcher;
    private final LivePlans livePlans;
    private volatile SwitchableTriggerQueue triggers;
    private volatile CronScheduler scheduler;
    private final List<AutoCloseable> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean listened = new AtomicBoolean();
    private final LastErrorAppender lastError;
    private final FleetPresence fleet;
    private volatile PackagePolicy busPolicy = PackagePolicy.of(List.of(), Optional.of(List.of()), List.of());
    private final Operations ops;

    public Daemon(RuntimeConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.lifecycle = new RuntimeLifecycle(config.runtimeId());
        this.ops = new Operations(config.metrics(), clock);
        this.store = new PlanStore(config.assessmentsDir());
        this.plugins = new PluginManager(new PackageLayout(config.pluginsDir()), LoadedRuntime.hostOptions(config),
                ops.metrics());
        if (config.eventBusURL().isBlank()) {
            this.nats = null;
            this.results = new LoggingResultSink();
        } else {
            this.nats = NatsConnections.connectInBackground(config.eventBusURL(), config.runtimeId(), config.nats().auth());
            this.results = JetStreamResultSink.open(nats, config.nats());
        }
        // Execute calls: at most `concurrency` per run and maxConcurrentRuns runs, so this many threads at most
        int executeThreads = config.execution().concurrency() * config.execution().maxConcurrentRuns();
        this.executePool = IdleFirstThreadPool.create(executeThreads, Duration.ofSeconds(60), threads("execute"));
        JobRunner runner = new JobRunner(plugins, results, config.execution(), config.runtimeId(), executePool, clock,
                ops.metrics());
        this.dispatcher = new JobDispatcher(this::scheduledJobs, runner, config.execution().maxConcurrentRuns(),
                config.timeZone());
        this.livePlans = new LivePlans(config, store, new PackageProvisioner(config, ops.metrics()), plugins, dispatcher,
                this::reschedule);
        this.lastError = LastErrorAppender.attachToRoot();
        this.fleet = new FleetPresence(new StatusReporter(
                new StatusReporter.Identity(config.runtimeId(), RuntimeVersion.current(), clock.instant(), config.timeZone()),
                this::scheduledJobs, plugins, dispatcher::runsInFlight,
                results instanceof JetStreamResultSink sink ? sink::pending : () -> 0, lastError::last, clock),
                config.heartbeatInterval());
    }

    public void start() throws InterruptedException {
        if (!lifecycle.enter(RuntimeLifecycle.State.STARTING)) {
            throw new IllegalStateException("runtime already " + lifecycle.state());
        }
        log.atInfo().addKeyValue("runtimeId", config.runtimeId()).addKeyValue("pluginsDir", config.pluginsDir())
                .addKeyValue("eventBus", config.eventBusURL().isBlank() ? "none" : Redaction.url(config.eventBusURL()))
                .log("runtime starting");
        ops.start(opsView());
        new ControlPlanePlans(config, store).fetchIntoStore();
        busPolicy = busPolicy(livePlans.loadStored());

        Optional<Connection> connection = nats == null ? Optional.empty() : nats.awaitConnection(config.nats().startWait());
        Optional<TriggerQueue> shared = connection.flatMap(this::jetStreamTriggers);
        triggers = new SwitchableTriggerQueue(shared.orElseGet(InProcessTriggerQueue::new));
        triggers.subscribe(ops.watchDispatch(dispatcher));
        CronScheduler cron = new CronScheduler(ops.watchFires(triggers), clock);
        cron.update(schedules(livePlans.catalog(), config.timeZone()));
        cron.start();
        scheduler = cron;
        logJobs(livePlans.catalog());
        connection.ifPresent(this::listen);
        if (nats != null && shared.isEmpty()) {
            if (connection.isEmpty()) {
                log.error("NATS at {} not reachable within {} ms: this runtime schedules on its own until NATS answers,"
                        + " then joins the shared schedule; results wait in the spool", Redaction.url(config.eventBusURL()),
                        config.nats().startWait().toMillis());
            }
            new SharedScheduleJoin(nats, config.eventBusURL(), triggers, this::jetStreamTriggers, this::listen,
                    lifecycle::stopping).start(listened.get());
        }
        lifecycle.enter(RuntimeLifecycle.State.RUNNING);
    }

    /**
     * Applies a re-read config.yml and the plan files on disk now (SIGHUP, or a watched file changed): jobs
     * added, changed or removed, plugins started or retired. Settings that only take effect at start are
     * named in the log. A bad file changes nothing and the log says why, file and line.
     */
    public void reload(RuntimeConfig next, String cause) {
        if (lifecycle.state() != RuntimeLifecycle.State.RUNNING) {
            log.atWarn().addKeyValue("cause", cause).addKeyValue("state", lifecycle.state())
                    .log("reload ignored: the runtime is not running");
            return;
        }
        List<String> needRestart = RestartSettings.changed(config, next);
        if (!needRestart.isEmpty()) {
            log.atWarn().addKeyValue("cause", cause).addKeyValue("settings", needRestart)
                    .log("these settings changed but only take effect after a restart; running with the old values");
        }
        try {
            boolean changed = livePlans.reload(next);
            log.atInfo().addKeyValue("cause", cause).addKeyValue("jobs", livePlans.catalog().jobs().size())
                    .log(changed ? "reloaded: jobs and plugins updated" : "reloaded: no job changed");
        } catch (ConfigException e) {
            log.atError().addKeyValue("cause", cause).addKeyValue("problems", String.join("; ", e.problems().stream().map(Object::toString).toList()))
                    .log("reload refused: the running jobs stay as they are");
        } catch (RuntimeException e) {
            log.atError().addKeyValue("cause", cause).setCause(e)
                    .log("reload failed: the running jobs stay as they are: {}", e.toString());
        }
    }

    /** The JetStream trigger queue, or empty (logged) when JetStream cannot set it up yet. */
    private Optional<TriggerQueue> jetStreamTriggers(Connection connection) {
        try {
            StreamSetup.ensureResultsStream(connection, config.nats());
            return Optional.of(new JetStreamTriggerQueue(connection, config.nats(), config.runtimeId(), clock));
        } catch (Exception e) {
            log.error("cannot set up the JetStream schedule at {}: {}; scheduling on this runtime only until it can"
                    + " (retrying every {} ms)", Redaction.url(config.eventBusURL()), Redaction.text(e.getMessage()),
                    SharedScheduleJoin.RETRY_MILLIS);
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
            PlanEventListener events = new PlanEventListener(connection, store, livePlans, config.runtimeId(), busPolicy);
            events.start();
            listeners.add(events);
        } else {
            log.atWarn().addKeyValue("subject", PlanEventListener.SUBJECT).addKeyValue("setting", "plans.events")
                    .log("plan events are off (plans.events: false): not subscribed; plans change only through"
                            + " plan files and the control plane");
        }
        if (config.plans().requests()) {
            AssessmentRequestResponder requests = new AssessmentRequestResponder(connection, livePlans, busPolicy);
            requests.start();
            listeners.add(requests);
        } else {
            log.atWarn().addKeyValue("subject", AssessmentRequestResponder.SUBJECT).addKeyValue("setting", "plans.requests")
                    .log("ad-hoc requests are off (plans.requests: false): not subscribed");
        }
        listeners.add(fleet.start(connection)); // runtime.status answers and heartbeats (ar status)
    }

    /** The jobs the dispatcher runs: those scheduled now. */
    private JobCatalog scheduledJobs() {
        return livePlans.catalog();
    }

    private void reschedule(JobCatalog jobs) {
        CronScheduler cron = scheduler;
        if (cron != null) {
            cron.update(schedules(jobs, config.timeZone()));
        }
        logJobs(jobs);
    }

    /** Stops listening and scheduling, lets runs in flight finish within the grace period, stops every plugin. */
    public void stop() {
        if (!lifecycle.enter(RuntimeLifecycle.State.STOPPING)) {
            return;
        }
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
        ops.close();
        log.atInfo().addKeyValue("runsFinished", drained).log("runtime stopped");
        lastError.close();
        lifecycle.enter(RuntimeLifecycle.State.STOPPED);
    }

    /** What /metrics, /healthz and /readyz read from this daemon (package ops). */
    private RuntimeView opsView() {
        return new RuntimeView(plugins::states, () -> Optional.ofNullable(scheduler),
                () -> Optional.ofNullable(triggers).map(SwitchableTriggerQueue::current), Optional.ofNullable(nats),
                results instanceof JetStreamResultSink sink ? Optional.of(sink) : Optional.empty(), lifecycle::stopping);
    }

    public PluginManager plugins() {
        return plugins;
    }

    public RuntimeLifecycle lifecycle() {
        return lifecycle;
    }

    public RuntimeConfig config() {
        return config;
    }

    private void logJobs(JobCatalog jobs) {
        CronScheduler cron = scheduler;
        for (JobDefinition job : jobs.jobs()) {
            log.atInfo().addKeyValue("job", job.id()).addKeyValue("schedule", job.schedule())
                    .addKeyValue("next", cron == null ? "not started"
                            : cron.nextFire(job.id()).map(Object::toString).orElse("never"))
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
