package io.ccf.ar.runtime.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;

/**
 * Turns triggers into runs: looks the job up in the current catalog, skips the fire when the
 * previous run of the same job is still going (robfig's SkipIfStillRunning), and runs it on the
 * run pool. Returns at once, so the trigger source is never held up; the returned stage completes
 * when the trigger is dealt with (a queue that stores triggers acknowledges it then).
 */
public final class JobDispatcher implements TriggerHandler {
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

    /**
     * Starts the run of the trigger's job on the run pool and returns at once.
     *
     * @return completes at once with {@code null} for a job that is not in the catalog and with
     *         {@link RunOutcome#SKIPPED_OVERLAP} when the previous run of the job is still going;
     *         otherwise when the run is over, with its outcome ({@link RunOutcome#FAILED} if the
     *         runner threw). Completes exceptionally with {@link RejectedExecutionException} only if
     *         the run was not started because the run pool is shut down (the runtime is stopping):
     *         the trigger was not dealt with here.
     */
    @Override
    public CompletionStage<RunOutcome> handle(Trigger trigger) {
        Optional<JobDefinition> job = catalog.get().job(trigger.jobId());
        if (job.isEmpty()) {
            log.atDebug().addKeyValue("job", trigger.jobId()).log("trigger for a job that no longer exists; dropped");
            return CompletableFuture.completedFuture(null);
        }
        if (!running.add(trigger.jobId())) {
            log.atInfo().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .addKeyValue("outcome", RunOutcome.SKIPPED_OVERLAP)
                    .log("run skipped: the previous run of this job is still going");
            return CompletableFuture.completedFuture(RunOutcome.SKIPPED_OVERLAP);
        }
        CompletableFuture<RunOutcome> done = new CompletableFuture<>();
        try {
            runPool.execute(() -> {
                RunOutcome outcome = RunOutcome.FAILED;
                try {
                    outcome = runner.run(job.get(), JobRunner.newRunId(), trigger.fireTime()).outcome();
                } catch (RuntimeException e) {
                    log.atError().addKeyValue("job", trigger.jobId()).setCause(e).log("run failed unexpectedly");
                } finally {
                    running.remove(trigger.jobId()); // before completing: the next fire must not look like an overlap
                    done.complete(outcome);
                }
            });
        } catch (RejectedExecutionException rejected) {
            running.remove(trigger.jobId());
            log.atWarn().addKeyValue("job", trigger.jobId()).log("run not started: the runtime is stopping");
            done.completeExceptionally(rejected);
        }
        return done;
    }

    /**
     * Runs {@code jobs} now, one after the other, as the run {@code runId} (an ad-hoc request).
     *
     * @throws IllegalStateException naming the job when one of them is already running
     */
    public CompletableFuture<Void> runNow(List<JobDefinition> jobs, String runId) {
        List<String> claimed = new ArrayList<>();
        for (JobDefinition job : jobs) {
            if (!running.add(job.id())) {
                claimed.forEach(running::remove);
                throw new IllegalStateException("job " + job.id() + " is running; try again when its run is over");
            }
            claimed.add(job.id());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            runPool.execute(() -> {
                try {
                    for (JobDefinition job : jobs) {
                        try {
                            runner.run(job, runId);
                        } catch (RuntimeException e) {
                            log.atError().addKeyValue("job", job.id()).setCause(e).log("run failed unexpectedly");
                        } finally {
                            running.remove(job.id());
                        }
                    }
                } finally {
                    done.complete(null);
                }
            });
        } catch (RejectedExecutionException rejected) {
            claimed.forEach(running::remove);
            throw new IllegalStateException("the runtime is stopping", rejected);
        }
        return done;
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
