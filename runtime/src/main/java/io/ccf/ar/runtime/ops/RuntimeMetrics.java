package io.ccf.ar.runtime.ops;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.messaging.JetStreamResultSink;
import io.ccf.ar.runtime.messaging.JetStreamTriggerQueue;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginMetrics;
import io.ccf.ar.runtime.plugin.PluginState;
import io.ccf.ar.runtime.registry.DownloadMetrics;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.RunMetrics;
import io.ccf.ar.runtime.run.RunOutcome;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.nats.client.Connection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Every instrument of the runtime, in one place, registered on the daemon's own {@link PrometheusRegistry} (never the
 * static default one, so daemons in one JVM do not collide). Components record through the small interfaces they
 * know ({@link RunMetrics}, {@link PluginMetrics}, {@link DownloadMetrics}, the trigger handler's hooks); what the
 * daemon already counts (results, spool, NATS, plugin states) is read at scrape time through {@link RuntimeView}.
 *
 * <p>Labels are bounded: job ids of scheduled runs (ad-hoc runs share {@value #AD_HOC_JOB}), package names and
 * versions, outcomes and fixed reasons; never a run id, subject or result id. No exemplars: the daemon has no traces
 * for them to point at, and each instrument with them keeps a sampler (and the client starts a thread for them). The
 * JVM's own metrics are added by {@link Operations} when they are served ({@link LazyJvmMetrics}).
 */
public final class RuntimeMetrics implements RunMetrics, PluginMetrics, DownloadMetrics {
    /** The job label of every run started by a request rather than the schedule (their plans are anyone's). */
    public static final String AD_HOC_JOB = "ad-hoc";
    static final String DROPPED_MISFIRE = "misfire";
    static final String DROPPED_REFUSED = "refused";
    /** What a run the runner started can end as (skips and misfires never start: see the fires counters). */
    private static final RunOutcome[] FINISHED = {RunOutcome.SUCCEEDED, RunOutcome.FAILED, RunOutcome.CANCELLED};

    private static final double[] RUN_SECONDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};
    private static final double[] CALL_SECONDS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final double[] START_SECONDS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60};
    private static final double[] LATENESS_SECONDS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300};

    private final PrometheusRegistry registry;
    private final Counter runsStarted;
    private final Counter runsFinished;
    private final Histogram runDuration;
    private final Histogram executeDuration;
    private final Counter results;
    private final Counter pluginRestarts;
    private final Counter pluginStartFailures;
    private final Counter pluginExits;
    private final Histogram pluginStart;
    private final Histogram fireLateness;
    private final Counter firesSkipped;
    private final Counter firesDropped;
    private final Counter triggersTaken;
    private final Counter triggersRedelivered;
    private final Counter downloads;
    private final Counter downloadFailures;

    public RuntimeMetrics(PrometheusRegistry registry) {
        this.registry = registry;
        runsStarted = Counter.builder().name("ar_runs_started").labelNames("job")
                .help("Runs started, by job (ad-hoc requests: job=\"" + AD_HOC_JOB + "\")").withoutExemplars().register(registry);
        runsFinished = Counter.builder().name("ar_runs_finished").labelNames("job", "outcome")
                .help("Runs finished, by job and outcome (SUCCEEDED, FAILED, CANCELLED)").withoutExemplars().register(registry);
        runDuration = Histogram.builder().name("ar_run_duration_seconds").labelNames("package", "version")
                .classicOnly().classicUpperBounds(RUN_SECONDS)
                .help("Duration of runs, under each package version their activities use").withoutExemplars().register(registry);
        executeDuration = Histogram.builder().name("ar_execute_duration_seconds").labelNames("package", "version", "result")
                .classicOnly().classicUpperBounds(CALL_SECONDS)
                .help("Latency of Execute calls to plugins; result=error when the call failed").withoutExemplars().register(registry);
        results = Counter.builder().name("ar_results").labelNames("status")
                .help("Results produced by runs, by status (SUCCESS, FAILURE, CANCELLED)").withoutExemplars().register(registry);
        pluginRestarts = Counter.builder().name("ar_plugin_restarts").labelNames("package", "version")
                .help("Plugin processes started again after a crash or failed start").withoutExemplars().register(registry);
        pluginStartFailures = Counter.builder().name("ar_plugin_start_failures").labelNames("package", "version")
                .help("Plugin starts (or restarts) that failed").withoutExemplars().register(registry);
        pluginExits = Counter.builder().name("ar_plugin_exits").labelNames("package", "version")
                .help("Plugin processes that exited while they should have been running").withoutExemplars().register(registry);
        pluginStart = Histogram.builder().name("ar_plugin_start_seconds").labelNames("package", "version")
                .classicOnly().classicUpperBounds(START_SECONDS)
                .help("Plugin start-up time: spawn, handshake and Init until READY").withoutExemplars().register(registry);
        fireLateness = Histogram.builder().name("ar_scheduler_fire_lateness_seconds")
                .classicOnly().classicUpperBounds(LATENESS_SECONDS)
                .help("How late the scheduler hands each fire over, after its fire time").withoutExemplars().register(registry);
        firesSkipped = Counter.builder().name("ar_scheduler_fires_skipped").labelNames("job")
                .help("Fires skipped: the job's previous run was still going and 10 fires already waited (overlap)")
                .withoutExemplars().register(registry);
        firesDropped = Counter.builder().name("ar_scheduler_fires_dropped").labelNames("reason")
                .help("Fires not run here: misfire (arrived after nats.misfireDeadline) or refused (runtime full or"
                        + " stopping; a shared fire is given back)").withoutExemplars().register(registry);
        triggersTaken = Counter.builder().name("ar_triggers_taken")
                .help("Triggers this runtime took from the shared schedule (every delivery)").withoutExemplars().register(registry);
        triggersRedelivered = Counter.builder().name("ar_triggers_redelivered")
                .help("Triggers taken that were redeliveries (another runtime had them and did not finish)")
                .withoutExemplars().register(registry);
        downloads = Counter.builder().name("ar_registry_downloads").labelNames("package")
                .help("Package versions downloaded from the plugin registry and installed").withoutExemplars().register(registry);
        downloadFailures = Counter.builder().name("ar_registry_download_failures").labelNames("package")
                .help("Package downloads from the plugin registry that failed").withoutExemplars().register(registry);
        firesDropped.initLabelValues(DROPPED_MISFIRE);
        firesDropped.initLabelValues(DROPPED_REFUSED);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The instruments read at scrape time from the running daemon. Call once. */
    void observe(RuntimeView view) {
        GaugeWithCallback.builder().name("ar_plugin_up").labelNames("package", "version")
                .help("1 when the plugin process of the package version is READY, else 0")
                .callback(cb -> view.pluginStates().get().forEach((ref, state) ->
                        cb.call(state == PluginState.READY ? 1 : 0, ref.name(), ref.version())))
                .register(registry);
        GaugeWithCallback.builder().name("ar_schedule_mode").labelNames("mode")
                .help("1 for how this runtime schedules now: shared (JetStream), local (fallback while the shared"
                        + " schedule is away) or standalone (no event bus)")
                .callback(cb -> {
                    String mode = scheduleMode(view);
                    for (String m : new String[] {"shared", "local", "standalone"}) {
                        cb.call(m.equals(mode) ? 1 : 0, m);
                    }
                })
                .register(registry);
        view.nats().ifPresent(nats -> GaugeWithCallback.builder().name("ar_nats_connection_state").labelNames("state")
                .help("1 for the state the NATS connection is in now")
                .callback(cb -> {
                    Optional<Connection.Status> now = nats.connection().map(Connection::getStatus);
                    for (Connection.Status s : Connection.Status.values()) {
                        cb.call(now.orElse(Connection.Status.CONNECTING) == s ? 1 : 0, s.name());
                    }
                })
                .register(registry));
        view.nats().ifPresent(nats -> GaugeWithCallback.builder().name("ar_nats_connected")
                .help("1 while the NATS connection is up, else 0")
                .callback(cb -> cb.call(nats.isConnected() ? 1 : 0))
                .register(registry));
        view.results().ifPresent(this::observeResults);
        if (view.nats().isPresent()) {
            observeSharedSchedule(view);
        }
    }

    /** The shared schedule's own safety nets; 0 while the queue is in-process (before NATS answered). */
    private void observeSharedSchedule(RuntimeView view) {
        CounterWithCallback.builder().name("ar_fires_run_locally")
                .help("Fires this runtime ran itself because JetStream did not store them in time (LOCAL mode)")
                .callback(cb -> cb.call(sharedQueue(view).map(JetStreamTriggerQueue::ranLocally).orElse(0L)))
                .register(registry);
        CounterWithCallback.builder().name("ar_fires_untaken")
                .help("Fires this runtime stored in the shared schedule that no runtime announced taking by the"
                        + " take deadline, so it ran them itself")
                .callback(cb -> cb.call(sharedQueue(view).map(JetStreamTriggerQueue::ranUntaken).orElse(0L)))
                .register(registry);
        CounterWithCallback.builder().name("ar_trigger_acks_resent")
                .help("Trigger acknowledgements sent again because JetStream did not confirm them (a consumer"
                        + " leader change)")
                .callback(cb -> cb.call(sharedQueue(view).map(JetStreamTriggerQueue::acksResent).orElse(0L)))
                .register(registry);
    }

    private static Optional<JetStreamTriggerQueue> sharedQueue(RuntimeView view) {
        return view.triggerQueue().get().filter(JetStreamTriggerQueue.class::isInstance)
                .map(JetStreamTriggerQueue.class::cast);
    }

    private void observeResults(JetStreamResultSink sink) {
        CounterWithCallback.builder().name("ar_results_published").labelNames("via")
                .help("Results JetStream acknowledged: direct, or from the spool after an outage")
                .callback(cb -> {
                    cb.call(sink.publishedDirect(), "direct");
                    cb.call(sink.publishedFromSpool(), "spool");
                })
                .register(registry);
        CounterWithCallback.builder().name("ar_results_spooled")
                .help("Results written to the spool because NATS did not take them").callback(cb -> cb.call(sink.spooled()))
                .register(registry);
        CounterWithCallback.builder().name("ar_results_dead_lettered")
                .help("Results JetStream refused for good, kept in the dead-letter file")
                .callback(cb -> cb.call(sink.deadLettered()))
                .register(registry);
        CounterWithCallback.builder().name("ar_results_lost")
                .help("Results neither published nor spooled (the spool was full or not writable)")
                .callback(cb -> cb.call(sink.lost()))
                .register(registry);
        GaugeWithCallback.builder().name("ar_spool_entries")
                .help("Results waiting in the spool").callback(cb -> cb.call(sink.spool().count()))
                .register(registry);
        GaugeWithCallback.builder().name("ar_spool_bytes")
                .help("Bytes of the results waiting in the spool").callback(cb -> cb.call(sink.spool().bytes()))
                .register(registry);
    }

    static String scheduleMode(RuntimeView view) {
        Optional<TriggerQueue> queue = view.triggerQueue().get();
        if (view.nats().isEmpty()) {
            return "standalone";
        }
        return queue.filter(q -> q instanceof JetStreamTriggerQueue js && js.mode() == JetStreamTriggerQueue.Mode.SHARED)
                .isPresent() ? "shared" : "local";
    }

    // ---- runs

    @Override
    public void runStarted(JobDefinition job, boolean scheduled) {
        String label = jobLabel(job, scheduled);
        runsStarted.labelValues(label).inc();
        for (RunOutcome outcome : FINISHED) { // every outcome from 0, so increase() sees the first one
            runsFinished.initLabelValues(label, outcome.name());
        }
    }

    @Override
    public void runFinished(JobDefinition job, boolean scheduled, RunOutcome outcome, long durationNanos) {
        runsFinished.labelValues(jobLabel(job, scheduled), outcome.name()).inc();
        double seconds = durationNanos / 1e9;
        Set<PackageRef> used = new LinkedHashSet<>();
        for (ActivityDefinition a : job.activities()) {
            used.add(new PackageRef(a.packageName(), a.version()));
        }
        used.forEach(ref -> runDuration.labelValues(ref.name(), ref.version()).observe(seconds));
    }

    @Override
    public void executeFinished(String packageName, String version, boolean ok, long nanos) {
        executeDuration.labelValues(packageName, version, ok ? "ok" : "error").observe(nanos / 1e9);
    }

    @Override
    public void resultProduced(AssessmentResult.Status status) {
        results.labelValues(status.name()).inc();
    }

    private static String jobLabel(JobDefinition job, boolean scheduled) {
        return scheduled ? job.id() : AD_HOC_JOB;
    }

    // ---- plugins

    @Override
    public void pluginStarted(PackageRef ref, boolean restart, long nanos) {
        initPlugin(ref);
        pluginStart.labelValues(ref.name(), ref.version()).observe(nanos / 1e9);
        if (restart) {
            pluginRestarts.labelValues(ref.name(), ref.version()).inc();
        }
    }

    @Override
    public void pluginStartFailed(PackageRef ref) {
        initPlugin(ref);
        pluginStartFailures.labelValues(ref.name(), ref.version()).inc();
    }

    @Override
    public void pluginExited(PackageRef ref) {
        pluginExits.labelValues(ref.name(), ref.version()).inc();
    }

    /** The plugin's counters from 0 once it has been started, so the first restart or failure shows as one. */
    private void initPlugin(PackageRef ref) {
        pluginRestarts.initLabelValues(ref.name(), ref.version());
        pluginStartFailures.initLabelValues(ref.name(), ref.version());
        pluginExits.initLabelValues(ref.name(), ref.version());
    }

    // ---- schedule and triggers

    void fired(Duration lateness) {
        fireLateness.observe(Math.max(0, lateness.toNanos()) / 1e9);
    }

    void fireSkipped(String jobId) {
        firesSkipped.labelValues(jobId).inc();
    }

    void fireDropped(String reason) {
        firesDropped.labelValues(reason).inc();
    }

    void triggerTaken(long delivery) {
        triggersTaken.inc();
        if (delivery > 1) {
            triggersRedelivered.inc();
        }
    }

    // ---- registry

    @Override
    public void downloaded(PackageRef ref) {
        downloads.labelValues(ref.name()).inc();
    }

    @Override
    public void downloadFailed(PackageRef ref) {
        downloadFailures.labelValues(ref.name()).inc();
    }
}
