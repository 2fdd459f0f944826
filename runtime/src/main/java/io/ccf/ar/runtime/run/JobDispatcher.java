package io.ccf.ar.runtime.run;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;

/**
 * Turns triggers into runs: looks the job up in the current catalog, skips the fire when the previous run of the same
 * job is still going (robfig's SkipIfStillRunning), and runs it on the run pool. Returns at once, so the trigger source
 * is never held up; the returned stage completes when the trigger is dealt with (a queue that stores triggers
 * acknowledges it then, or gives it back when the stage fails).
 *
 * <p>Bounded: at most {@code maxConcurrentRuns} runs at once; up to {@value #BACKLOG} more wait for a thread (fires the
 * runtime runs itself, ad-hoc requests). {@link #room()} tells a queue that stores triggers how many it may take, so
 * a busy runtime leaves triggers in the stream for the others. A trigger that finds the backlog full is refused (its
 * stage fails: the shared queue gives it back; a local fire is logged as dropped and counted).
 */
public final class JobDispatcher implements TriggerHandler {
    private static final Logger log = LoggerFactory.getLogger(JobDispatcher.class);
    /** Runs waiting for a thread beyond maxConcurrentRuns. */
    static final int BACKLOG = 1_000;
    /**
     * Fires of one job that wait for its run in progress; more are skipped as overlaps. Twice what piles up when
     * the shared schedule stops taking fires: a one-second job queues about nats.localFallbackAfter (5 s) of
     * fires, which then all arrive at once; 5 was too close (ClusterFaultTest lost 2 fires of 32 to it once).
     */
    public static final int WAITING_FIRES_PER_JOB = 10;

    private final Supplier<JobCatalog> catalog;
    private final JobRunner runner;
    private final int maxConcurrentRuns;
    private final ZoneId timeZone;
    private final ThreadPoolExecutor runPool;
    /** Per job: whether a run is going, and the fires waiting for it. */
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    /** Runs accepted and not finished (running or waiting for a thread). */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock roomLock = new ReentrantLock();
    private final Condition roomFreed = roomLock.newCondition();
    private final Set<String> zoneMismatchesLogged = ConcurrentHashMap.newKeySet();
    private final LongAdder refused = new LongAdder();

    /**
     * @param maxConcurrentRuns runs at once on this runtime
     * @param timeZone          the runtime's zone for schedules without CRON_TZ (triggers computed in another one are
     *                          reported: the runtimes sharing the schedule disagree)
     */
    public JobDispatcher(Supplier<JobCatalog> catalog, JobRunner runner, int maxConcurrentRuns, ZoneId timeZone) {
        if (maxConcurrentRuns < 1) {
            throw new IllegalArgumentException("maxConcurrentRuns must be at least 1");
        }
        this.catalog = catalog;
        this.runner = runner;
        this.maxConcurrentRuns = maxConcurrentRuns;
        this.timeZone = timeZone;
        AtomicInteger n = new AtomicInteger();
        this.runPool = new ThreadPoolExecutor(maxConcurrentRuns, maxConcurrentRuns, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(BACKLOG), r -> {
                    Thread t = new Thread(r, "run-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        runPool.allowCoreThreadTimeOut(true);
    }

    /**
     * Starts the run of the trigger's job on the run pool and returns at once.
     *
     * @return completes at once with {@code null} for a job that is not in the catalog and with
     *         {@link RunOutcome#SKIPPED_OVERLAP} when the previous run of the job is still going; otherwise when the
     *         run is over, with its outcome ({@link RunOutcome#FAILED} if the runner threw). Completes exceptionally
     *         when the fire was not dealt with here and should run elsewhere: the runtime is stopping (not started,
     *         {@link RejectedExecutionException}), the backlog is full (same), or the run was cut short by shutdown
     *         ({@link RunCancelledException}).
     */
    @Override
    public CompletionStage<RunOutcome> handle(Trigger trigger) {
        Optional<JobDefinition> job = catalog.get().job(trigger.jobId());
        if (job.isEmpty()) {
            log.atDebug().addKeyValue("job", trigger.jobId()).log("trigger for a job that no longer exists; dropped");
            return CompletableFuture.completedFuture(null);
        }
        checkZone(trigger, job.get());
        Fire fire = new Fire(trigger, new CompletableFuture<>());
        Lane claimed = withLane(trigger.jobId(), lane -> {
            if (!lane.busy) {
                lane.busy = true;
                inFlight.incrementAndGet();
                return lane;
            }
            if (lane.waiting.size() >= WAITING_FIRES_PER_JOB) {
                log.atInfo().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                        .addKeyValue("outcome", RunOutcome.SKIPPED_OVERLAP).addKeyValue("waiting", lane.waiting.size())
                        .log("run skipped: the previous run of this job is still going and "
                                + WAITING_FIRES_PER_JOB + " fires already wait for it");
                fire.done.complete(RunOutcome.SKIPPED_OVERLAP);
                return null;
            }
            inFlight.incrementAndGet();
            lane.waiting.add(fire);
            log.atInfo().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .log("fire waits: the previous run of this job is still going");
            return null;
        });
        if (claimed != null) {
            start(claimed, fire);
        }
        return fire.done;
    }

    /**
     * Applies {@code action} to the job's lane under the lane's lock, on a lane that is still the job's (an idle
     * lane leaves the map, so that a daemon that ran many distinct jobs, ad-hoc plans among them, keeps none).
     */
    private <T> T withLane(String jobId, Function<Lane, T> action) {
        while (true) {
            Lane lane = lanes.computeIfAbsent(jobId, Lane::new);
            synchronized (lane) {
                if (!lane.retired) {
                    return action.apply(lane);
                }
            }
            // went idle and left the map after we looked it up: the next lookup finds or makes the job's new lane
        }
    }

    /** Runs {@code fire} on the pool; when it ends, the lane's next waiting fire (oldest first) starts. */
    private void start(Lane lane, Fire fire) {
        Trigger trigger = fire.trigger;
        try {
            runPool.execute(new RunTask(() -> {
                RunOutcome outcome = RunOutcome.FAILED;
                try {
                    Optional<JobDefinition> job = catalog.get().job(trigger.jobId()); // the catalog may have changed
                    if (job.isPresent()) {
                        outcome = runner.run(job.get(), JobRunner.newRunId(), trigger.fireTime()).outcome();
                    } else {
                        outcome = null;
                    }
                } catch (RuntimeException e) {
                    log.atError().addKeyValue("job", trigger.jobId()).setCause(e).log("run failed unexpectedly");
                } finally {
                    released();
                    if (outcome == RunOutcome.CANCELLED) {
                        fire.done.completeExceptionally(new RunCancelledException(trigger));
                    } else {
                        fire.done.complete(outcome);
                    }
                    next(lane); // after completing: the trigger is acknowledged before the next run starts
                }
            }, () -> { // never started: the runtime stopped while it waited for a thread
                released();
                fire.done.completeExceptionally(new RunCancelledException(trigger));
                next(lane);
            }));
        } catch (RejectedExecutionException rejected) {
            released();
            refused.increment();
            log.atWarn().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .log(runPool.isShutdown() ? "run not started: the runtime is stopping"
                            : "run not started: " + maxConcurrentRuns + " runs are going and " + BACKLOG + " wait");
            fire.done.completeExceptionally(rejected);
            next(lane);
        }
    }

    /** The lane's run ended: start its next waiting fire, or mark it idle. */
    private void next(Lane lane) {
        Fire next;
        synchronized (lane) {
            next = lane.waiting.poll();
            if (next == null) {
                lane.busy = false;
                lane.retired = true;
                lanes.remove(lane.jobId, lane);
                return;
            }
        }
        start(lane, next);
    }

    /**
     * One job's runs: at most one going, fires waiting in fire-time order. Guarded by itself. Retired once idle
     * (removed from the map): whoever still holds it looks the job's lane up again.
     */
    private static final class Lane {
        final String jobId;
        boolean busy;
        boolean retired;
        final PriorityQueue<Fire> waiting = new PriorityQueue<>(Comparator.comparing(f -> f.trigger.fireTime()));

        Lane(String jobId) {
            this.jobId = jobId;
        }
    }

    private record Fire(Trigger trigger, CompletableFuture<RunOutcome> done) {
    }

    /** A run cut short by shutdown: its trigger is given back so the fire runs again (here after a restart, or elsewhere). */
    public static final class RunCancelledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RunCancelledException(Trigger trigger) {
            super("the run of " + trigger.fireId() + " was cancelled by shutdown", null, false, false);
        }
    }

    /** Runs accepted and not finished (running or waiting for a thread). */
    public int runsInFlight() {
        return inFlight.get();
    }

    /** Runs this runtime can start now without queueing: what a queue that stores triggers may take. */
    @Override
    public int room() {
        return Math.max(0, maxConcurrentRuns - inFlight.get());
    }

    @Override
    public boolean awaitRoom(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        roomLock.lock();
        try {
            while (room() == 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = roomFreed.awaitNanos(nanos);
            }
            return true;
        } finally {
            roomLock.unlock();
        }
    }

    private void released() {
        inFlight.decrementAndGet();
        roomLock.lock();
        try {
            roomFreed.signalAll();
        } finally {
            roomLock.unlock();
        }
    }

    /** Fires refused because the backlog was full or the runtime was stopping. */
    public long refused() {
        return refused.sum();
    }

    /**
     * A trigger computed in another zone than this runtime would compute the job's schedule in: the runtimes sharing
     * the schedule disagree on {@code timeZone} (or on CRON_TZ), so each publishes fire times the others do not.
     */
    private void checkZone(Trigger trigger, JobDefinition job) {
        if (trigger.timeZone().isEmpty()) {
            return;
        }
        String ours;
        try {
            ours = CronParser.parse(job.schedule(), timeZone).zone().getId();
        } catch (RuntimeException e) {
            return; // an ad-hoc or unscheduled job: nothing to compare
        }
        if (!ours.equals(trigger.timeZone()) && zoneMismatchesLogged.add(job.id() + "|" + trigger.timeZone())) {
            log.atError().addKeyValue("job", job.id()).addKeyValue("triggerZone", trigger.timeZone())
                    .addKeyValue("ourZone", ours)
                    .log("a runtime sharing this schedule computes its fire times in zone " + trigger.timeZone()
                            + ", this one in " + ours + ": set the same timeZone on every runtime (or CRON_TZ= in the"
                            + " schedule); until then the job runs at the fire times of both");
        }
    }

    /**
     * Runs {@code jobs} now, one after the other, as the run {@code runId} (an ad-hoc request).
     *
     * @throws IllegalStateException naming the job when one of them is already running, or when the runtime is
     *                               stopping or full
     */
    public CompletableFuture<Void> runNow(List<JobDefinition> jobs, String runId) {
        List<Lane> claimed = new ArrayList<>();
        for (JobDefinition job : jobs) {
            Lane lane = withLane(job.id(), l -> {
                if (l.busy) {
                    return null;
                }
                l.busy = true;
                return l;
            });
            if (lane == null) {
                claimed.forEach(this::next);
                throw new IllegalStateException("job " + job.id() + " is running; try again when its run is over");
            }
            claimed.add(lane);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight.incrementAndGet();
        try {
            runPool.execute(new RunTask(() -> {
                try {
                    for (int i = 0; i < jobs.size(); i++) {
                        try {
                            runner.run(jobs.get(i), runId);
                        } catch (RuntimeException e) {
                            log.atError().addKeyValue("job", jobs.get(i).id()).setCause(e).log("run failed unexpectedly");
                        } finally {
                            next(claimed.get(i)); // fires that waited for this job go on
                        }
                    }
                } finally {
                    released();
                    done.complete(null);
                }
            }, () -> {
                claimed.forEach(this::next);
                released();
                log.atWarn().addKeyValue("run", runId).log("ad-hoc run not started: the runtime stopped first");
                done.complete(null);
            }));
        } catch (RejectedExecutionException rejected) {
            claimed.forEach(this::next);
            released();
            throw new IllegalStateException(runPool.isShutdown() ? "the runtime is stopping"
                    : "the runtime is full: " + maxConcurrentRuns + " runs are going and " + BACKLOG + " wait", rejected);
        }
        return done;
    }

    /** Lanes in the map (tests: an idle job keeps none). */
    int lanesHeld() {
        return lanes.size();
    }

    /** Jobs with a run in progress. */
    public Set<String> runningJobs() {
        Set<String> busy = new java.util.TreeSet<>();
        lanes.forEach((id, lane) -> {
            synchronized (lane) {
                if (lane.busy) {
                    busy.add(id);
                }
            }
        });
        return busy;
    }

    /** Lets in-flight runs finish within {@code grace}, then interrupts them. True if all finished. */
    public boolean drain(Duration grace) {
        runPool.shutdown();
        try {
            if (runPool.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            log.warn("runs still going after the {} ms grace period are cancelled: {}", grace.toMillis(), runningJobs());
            abandon(runPool.shutdownNow());
            return runPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(runPool.shutdownNow());
            return false;
        }
    }

    private static void abandon(List<Runnable> neverStarted) {
        for (Runnable r : neverStarted) {
            if (r instanceof RunTask task) {
                task.onAbandon.run();
            }
        }
    }

    /** A run, and what to do if the pool drops it before it starts (so its stage still completes). */
    private record RunTask(Runnable body, Runnable onAbandon) implements Runnable {
        @Override
        public void run() {
            body.run();
        }
    }
}
