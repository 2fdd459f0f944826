package io.ccf.ar.runtime.run;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Expression;
import io.ccf.ar.proto.Plan;
import io.ccf.ar.proto.Selector;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ExecutionSettings;
import io.ccf.ar.runtime.config.ExpressionSpec;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginNotFoundException;
import io.ccf.ar.runtime.version.VersionRequirement;
import io.ccf.ar.runtime.plugin.PluginException;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.schedule.Trigger;

/**
 * Runs one job once: for each activity, Evaluate once, then Execute per subject (concurrently,
 * at most {@code concurrency} at a time), each result handed to the sink as soon as it exists.
 * A failed Evaluate or Execute becomes a result with an error; the run goes on. The whole run has
 * a deadline; subjects not assessed by then get a result saying so.
 */
public final class JobRunner {
    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

    private final PluginManager plugins;
    private final ResultSink sink;
    private final ExecutionSettings settings;
    private final String runtimeId;
    private final ExecutorService executePool;
    private final Clock clock;
    private final RunMetrics metrics;

    public JobRunner(PluginManager plugins, ResultSink sink, ExecutionSettings settings, String runtimeId,
                     ExecutorService executePool, Clock clock) {
        this(plugins, sink, settings, runtimeId, executePool, clock, RunMetrics.NONE);
    }

    public JobRunner(PluginManager plugins, ResultSink sink, ExecutionSettings settings, String runtimeId,
                     ExecutorService executePool, Clock clock, RunMetrics metrics) {
        this.metrics = metrics;
        this.plugins = plugins;
        this.sink = sink;
        this.settings = settings;
        this.runtimeId = runtimeId;
        this.executePool = executePool;
        this.clock = clock;
    }

    private static final String CANCELLED_MESSAGE =
            "run cancelled by shutdown before this subject was assessed; the fire is given back to run again";

    public static String newRunId() {
        return UUID.randomUUID().toString();
    }

    public RunReport run(JobDefinition job) {
        return run(job, newRunId());
    }

    public RunReport run(JobDefinition job, String runId) {
        return run(job, runId, null);
    }

    /** Runs {@code job} as the run {@code runId}; {@code scheduledAt} is its fire time, or null when not scheduled. */
    public RunReport run(JobDefinition job, String runId, Instant scheduledAt) {
        return run(job, runId, scheduledAt, SubjectSelection.ALL);
    }

    /**
     * Runs {@code job} now, executing only the {@code subjects} selected among those Evaluate returns.
     *
     * @throws IllegalArgumentException when a selected subject is not among them (no Execute runs then)
     */
    public RunReport run(JobDefinition job, SubjectSelection subjects) {
        return run(job, newRunId(), null, subjects);
    }

    private RunReport run(JobDefinition job, String runId, Instant scheduledAt, SubjectSelection selection) {
        long t0 = System.nanoTime();
        long deadline = t0 + settings.runTimeout().toNanos();
        Counter counter = new Counter();
        MDC.put("run", runId);
        MDC.put("job", job.id());
        putIfPresent("plan", job.planId());
        putIfPresent("task", job.taskId());
        RunOutcome recorded = RunOutcome.FAILED; // if the run throws
        metrics.runStarted(job, scheduledAt != null);
        try {
            log.info("run started");
            for (ActivityDefinition activity : job.activities()) {
                MDC.put("activity", activity.id());
                MDC.put("plugin", activity.providerName());
                try {
                    runActivity(job, activity, runId, scheduledAt, deadline, counter, selection);
                } finally {
                    MDC.remove("activity");
                    MDC.remove("plugin");
                }
            }
            sink.awaitDurable(runId); // "run finished" means its results are stored
            // interrupted = cut short by shutdown after the grace period (the results say which subjects)
            RunOutcome outcome = Thread.currentThread().isInterrupted() || counter.cancelled.get() > 0 ? RunOutcome.CANCELLED
                    : counter.failed.get() == 0 ? RunOutcome.SUCCEEDED : RunOutcome.FAILED;
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            log.atInfo().addKeyValue("outcome", outcome).addKeyValue("results", counter.results.get())
                    .addKeyValue("failed", counter.failed.get()).addKeyValue("durationMs", ms).log("run finished");
            recorded = outcome;
            return new RunReport(runId, job.id(), outcome, counter.results.get(), counter.failed.get(), ms);
        } finally {
            // the caller acks the run's trigger once this returns: its results must be durable by then (also
            // when the run threw; at once when they already are)
            sink.awaitDurable(runId);
            metrics.runFinished(job, scheduledAt != null, recorded, System.nanoTime() - t0);
            MDC.remove("run");
            MDC.remove("job");
            MDC.remove("plan");
            MDC.remove("task");
        }
    }

    private void runActivity(JobDefinition job, ActivityDefinition activity, String runId, Instant scheduledAt,
                             long deadline, Counter counter, SubjectSelection selection) {
        ResultTemplate template = new ResultTemplate(runId, job, activity, scheduledAt);
        if (Thread.currentThread().isInterrupted()) { // cut short before this activity began
            publish(template.cancelled(Subject.getDefaultInstance(), 0, "run cancelled before this activity was run",
                    clock.instant()), counter);
            return;
        }
        PackageRef ref;
        EvaluateResult evaluated;
        Instant started = clock.instant();
        Plan plan = plan(job, activity);
        try {
            if (!VersionRequirement.isExact(activity.version())) {
                throw new PluginNotFoundException("package " + activity.packageName() + "@" + activity.version()
                        + " is not installed: no version matching it could be installed (see the log)");
            }
            ref = new PackageRef(activity.packageName(), activity.version());
            evaluated = plugins.client(ref).evaluate(EvaluateInput.newBuilder()
                    .setPlan(plan)
                    .setSelector(selector(activity.selector()))
                    .putAllConfiguration(activity.configuration())
                    .build());
        } catch (PluginException | IllegalArgumentException e) {
            if (Thread.currentThread().isInterrupted()) {
                publish(template.cancelled(Subject.getDefaultInstance(), 0, "run cancelled during Evaluate", clock.instant()), counter);
            } else {
                publish(template.error(Subject.getDefaultInstance(), 0, "Evaluate: " + e.getMessage(), started, clock.instant()), counter);
            }
            return;
        }
        List<Subject> subjects = selection.select(evaluated.getSubjectsList());
        if (subjects.isEmpty()) {
            log.warn("no subjects: Evaluate returned none, nothing to execute");
            return;
        }
        Semaphore slots = new Semaphore(settings.concurrency());
        int[] occurrence = occurrences(subjects);
        // one result per subject, whoever gets there first: the Execute task or the deadline
        AtomicBoolean[] reported = new AtomicBoolean[subjects.size()];
        AtomicBoolean expired = new AtomicBoolean();
        AtomicBoolean cancelled = new AtomicBoolean();
        String deadlineMessage = "run deadline of " + settings.runTimeout().toMillis() + " ms exceeded before this subject was assessed";
        List<Future<?>> running = new ArrayList<>();
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        try {
            for (int i = 0; i < subjects.size(); i++) {
                reported[i] = new AtomicBoolean();
                if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
                int index = i;
                ExecuteInput input = ExecuteInput.newBuilder()
                        .setPlan(plan)
                        .setSubject(subjects.get(i))
                        .putAllProps(evaluated.getPropsMap())
                        .putAllConfiguration(activity.configuration())
                        .build();
                running.add(executePool.submit(() -> {
                    MDC.setContextMap(mdc);
                    try {
                        AssessmentResult result = execute(ref, input, occurrence[index], template);
                        if (expired.get() && !result.ok()) {
                            result = cancelled.get()
                                    ? template.cancelled(input.getSubject(), occurrence[index], CANCELLED_MESSAGE, clock.instant())
                                    : template.error(input.getSubject(), occurrence[index], deadlineMessage, result.startedAt(), clock.instant());
                        }
                        if (reported[index].compareAndSet(false, true)) {
                            publish(result, counter);
                        }
                    } finally {
                        slots.release();
                        MDC.clear();
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            // the deadline: handled below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("Execute task failed unexpectedly", e.getCause());
        }
        cancelled.set(Thread.currentThread().isInterrupted());
        expired.set(true);
        for (Future<?> f : running) {
            if (!f.isDone()) {
                f.cancel(true);
                awaitQuietly(f);
            }
        }
        for (int i = 0; i < subjects.size(); i++) {
            if (reported[i] == null || reported[i].compareAndSet(false, true)) {
                publish(cancelled.get()
                        ? template.cancelled(subjects.get(i), occurrence[i], CANCELLED_MESSAGE, clock.instant())
                        : template.error(subjects.get(i), occurrence[i], deadlineMessage, clock.instant(), clock.instant()), counter);
            }
        }
    }

    private static void awaitQuietly(Future<?> f) {
        try {
            f.get(100, TimeUnit.MILLISECONDS);
        } catch (CancellationException | ExecutionException | TimeoutException e) {
            // cancelled: reported by the caller
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private AssessmentResult execute(PackageRef ref, ExecuteInput input, int occurrence, ResultTemplate template) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        try {
            ExecuteResult result = plugins.client(ref).execute(input);
            metrics.executeFinished(ref.name(), ref.version(), true, System.nanoTime() - t0);
            return template.result(input.getSubject(), occurrence, result, started, clock.instant());
        } catch (PluginException e) {
            metrics.executeFinished(ref.name(), ref.version(), false, System.nanoTime() - t0);
            return template.error(input.getSubject(), occurrence, "Execute: " + e.getMessage(), started, clock.instant());
        }
    }

    /** For each subject, how many subjects before it have the same id (plugins may repeat ids, or leave them empty). */
    static int[] occurrences(List<Subject> subjects) {
        int[] occurrence = new int[subjects.size()];
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < subjects.size(); i++) {
            occurrence[i] = seen.merge(subjects.get(i).getId(), 1, Integer::sum) - 1;
        }
        return occurrence;
    }

    private void publish(AssessmentResult result, Counter counter) {
        counter.results.incrementAndGet();
        if (result.status() == AssessmentResult.Status.CANCELLED) {
            counter.cancelled.incrementAndGet();
        } else if (!result.ok()) {
            counter.failed.incrementAndGet();
        }
        metrics.resultProduced(result.status());
        try {
            sink.publish(result);
        } catch (RuntimeException e) {
            log.atError().addKeyValue("result", result.resultId()).setCause(e).log("result sink failed");
        }
    }

    private static Plan plan(JobDefinition job, ActivityDefinition activity) {
        return Plan.newBuilder()
                .setId(job.assessmentPlanId().isEmpty() ? job.planId() : job.assessmentPlanId())
                .setComponentId(job.componentId())
                .setControlId(job.controlId())
                .setTaskId(job.taskId())
                .setActivityId(activity.id())
                .build();
    }

    static Selector selector(SelectorSpec spec) {
        Selector.Builder selector = Selector.newBuilder()
                .setQuery(spec.query())
                .putAllLabels(spec.labels())
                .addAllIds(spec.ids());
        for (ExpressionSpec e : spec.expressions()) {
            selector.addExpressions(Expression.newBuilder().setKey(e.key()).setOperator(e.operator()).addAllValues(e.values()));
        }
        return selector.build();
    }

    private static void putIfPresent(String key, String value) {
        if (value != null && !value.isEmpty()) {
            MDC.put(key, value);
        }
    }

    private static final class Counter {
        final AtomicInteger results = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
    }

    /** The fields every result of one activity run shares, and how its results get their ids. */
    private final class ResultTemplate {
        private final String runId;
        private final JobDefinition job;
        private final ActivityDefinition activity;
        private final Instant scheduledAt;
        private final String fireId;

        ResultTemplate(String runId, JobDefinition job, ActivityDefinition activity, Instant scheduledAt) {
            this.runId = runId;
            this.job = job;
            this.activity = activity;
            this.scheduledAt = scheduledAt;
            this.fireId = scheduledAt == null ? null : Trigger.fireId(job.id(), scheduledAt);
        }

        AssessmentResult result(Subject subject, int occurrence, ExecuteResult r, Instant started, Instant finished) {
            AssessmentResult.Status status = r.getStatus() == ExecutionStatus.SUCCESS
                    ? AssessmentResult.Status.SUCCESS : AssessmentResult.Status.FAILURE;
            return build(subject, status, "", r, started, finished, id(subject, occurrence));
        }

        AssessmentResult error(Subject subject, int occurrence, String error, Instant started, Instant finished) {
            return build(subject, AssessmentResult.Status.FAILURE, error, ExecuteResult.getDefaultInstance(), started,
                    finished, id(subject, occurrence));
        }

        /** A subject the run did not assess because shutdown cut it short: its own id, so a re-run's result is kept. */
        AssessmentResult cancelled(Subject subject, int occurrence, String why, Instant at) {
            return build(subject, AssessmentResult.Status.CANCELLED, why, ExecuteResult.getDefaultInstance(), at, at,
                    ResultIds.forCancelled(runId, activity.id(), subject.getId(), occurrence));
        }

        private String id(Subject subject, int occurrence) {
            return fireId != null ? ResultIds.forFire(fireId, activity.id(), subject.getId(), occurrence)
                    : ResultIds.forRun(runId, activity.id(), subject.getId(), occurrence);
        }

        private AssessmentResult build(Subject subject, AssessmentResult.Status status, String error, ExecuteResult r,
                                       Instant started, Instant finished, String resultId) {
            return new AssessmentResult(runId, runtimeId, job.id(), job.planId(),
                    job.assessmentPlanId(), job.componentId(), job.controlId(), job.taskId(), activity.id(),
                    activity.providerName(), activity.packageName(), activity.version(),
                    status, error, subject, r.getObservationsList(), r.getFindingsList(), r.getRisksList(),
                    r.getLogsList(), started, finished, scheduledAt, fireId, resultId);
        }
    }
}
