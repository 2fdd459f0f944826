package io.ccf.ar.runtime.app;

import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.plugin.PackageLayout;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.run.JobDispatcher;
import io.ccf.ar.runtime.run.JobRunner;
import io.ccf.ar.runtime.run.ResultSink;
import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.CronSchedule;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.ccf.ar.runtime.schedule.InProcessTriggerQueue;
import io.ccf.ar.runtime.schedule.TriggerQueue;

/**
 * The long-running runtime, wired from its parts (the composition root): plugins, runner,
 * dispatcher, trigger queue and cron scheduler. {@link #start()} then {@link #stop()}.
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final LoadedRuntime runtime;
    private final PluginManager plugins;
    private final AtomicReference<JobCatalog> catalog;
    private final ExecutorService executePool = Executors.newCachedThreadPool(threads("execute"));
    private final JobDispatcher dispatcher;
    private final TriggerQueue triggers = new InProcessTriggerQueue();
    private final CronScheduler scheduler;

    public Daemon(LoadedRuntime runtime, ResultSink results, Clock clock) {
        this.runtime = runtime;
        this.plugins = new PluginManager(new PackageLayout(runtime.config().pluginsDir()), runtime.hostOptions());
        this.catalog = new AtomicReference<>(runtime.catalog());
        JobRunner runner = new JobRunner(plugins, results, runtime.config().execution(), runtime.config().runtimeId(),
                executePool, clock);
        this.dispatcher = new JobDispatcher(catalog::get, runner, Executors.newCachedThreadPool(threads("run")));
        this.scheduler = new CronScheduler(triggers, clock);
    }

    public void start() {
        JobCatalog jobs = catalog.get();
        log.atInfo().addKeyValue("runtimeId", runtime.config().runtimeId())
                .addKeyValue("jobs", jobs.jobs().size()).addKeyValue("pluginsDir", runtime.config().pluginsDir())
                .log("runtime starting");
        runtime.plans().rejected().forEach(file -> log.error("plan file {} skipped:\n  {}", file.file(),
                String.join("\n  ", file.problems().stream().map(Object::toString).toList())));
        plugins.start(runtime.pluginSpecs());
        triggers.subscribe(dispatcher);
        scheduler.update(schedules(jobs));
        scheduler.start();
        for (JobDefinition job : jobs.jobs()) {
            log.atInfo().addKeyValue("job", job.id()).addKeyValue("schedule", job.schedule())
                    .addKeyValue("next", scheduler.nextFire(job.id()).map(Object::toString).orElse("never"))
                    .log("job scheduled");
        }
    }

    /** Stops scheduling, lets runs in flight finish within the grace period, stops every plugin. */
    public void stop() {
        log.info("runtime stopping: no new runs; waiting up to {} ms for runs in flight",
                runtime.config().execution().gracePeriod().toMillis());
        scheduler.close();
        triggers.close();
        boolean drained = dispatcher.drain(runtime.config().execution().gracePeriod());
        executePool.shutdownNow();
        plugins.stop();
        log.atInfo().addKeyValue("runsFinished", drained).log("runtime stopped");
    }

    public PluginManager plugins() {
        return plugins;
    }

    static Map<String, CronSchedule> schedules(JobCatalog jobs) {
        Map<String, CronSchedule> schedules = new LinkedHashMap<>();
        for (JobDefinition job : jobs.jobs()) {
            schedules.put(job.id(), CronParser.parse(job.schedule(), ZoneId.systemDefault()));
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
