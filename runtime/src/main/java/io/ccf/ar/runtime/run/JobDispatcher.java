package io.ccf.ar.runtime.run;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.schedule.Trigger;

/**
 * Turns triggers into runs: looks the job up in the current catalog, skips the fire when the
 * previous run of the same job is still going (robfig's SkipIfStillRunning), and runs it on the
 * run pool. Returns at once, so the trigger source is never held up.
 */
public final class JobDispatcher implements Consumer<Trigger> {
    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);

    private final Supplier<JobCatalog> catalog;
    private final JobRunner runner;
    private final ExecutorService runPool;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    public JobDispatcher(Supplier<JobCatalog> catalog, JobRunner runner, ExecutorService runPool) {
        this.catalog = catalog;
        this.runner = runner;
        this.runPool = runPool;
    }

    @Override
    public void accept(Trigger trigger) {
        Optional<JobDefinition> job = catalog.get().job(trigger.jobId());
        if (job.isEmpty()) {
            log.atDebug().addKeyValue("job", trigger.jobId()).log("trigger for a job that no longer exists; dropped");
            return;
        }
        if (!running.add(trigger.jobId())) {
            log.atInfo().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .addKeyValue("outcome", RunOutcome.SKIPPED_OVERLAP)
                    .log("run skipped: the previous run of this job is still going");
            return;
        }
        try {
            runPool.execute(() -> {
                try {
                    runner.run(job.get());
                } catch (RuntimeException e) {
                    log.atError().addKeyValue("job", trigger.jobId()).setCause(e).log("run failed unexpectedly");
                } finally {
                    running.remove(trigger.jobId());
                }
            });
        } catch (RuntimeException rejected) {
            running.remove(trigger.jobId());
            log.atWarn().addKeyValue("job", trigger.jobId()).log("run not started: the runtime is stopping");
        }
    }

    /** Jobs with a run in progress. */
    public Set<String> runningJobs() {
        return Set.copyOf(running);
    }

    /** Lets in-flight runs finish within {@code grace}, then interrupts them. True if all finished. */
    public boolean drain(Duration grace) {
        runPool.shutdown();
        try {
            if (runPool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            log.warn("runs still going after the {} ms grace period are cancelled: {}", grace.toMillis(), runningJobs());
            runPool.shutdownNow();
            return runPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runPool.shutdownNow();
            return false;
        }
    }
}
