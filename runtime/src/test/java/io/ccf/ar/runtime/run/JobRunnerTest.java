package io.ccf.ar.runtime.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.ActivityDefinition;
import io.ccf.ar.runtime.config.ExecutionSettings;
import io.ccf.ar.runtime.config.JobCatalog;
import io.ccf.ar.runtime.config.JobDefinition;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.plugin.PluginHostOptions;
import io.ccf.ar.runtime.plugin.PluginManager;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.proto.EvaluateInput;

/** The runner and dispatcher with the real sample plugin. */
class JobRunnerTest {
    @TempDir
    Path dir;
    private PluginManager plugins;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AssessmentResult> results = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        new TestPackages(dir).jar("sample", "1.0.0", TestPackages.sampleJar());
        plugins = new PluginManager(new TestPackages(dir).layout(), PluginHostOptions.defaults());
    }

    @AfterEach
    void stop() {
        plugins.stop();
        pool.shutdownNow();
    }

    private JobRunner runner(Duration runTimeout, int concurrency) {
        return new JobRunner(plugins, results::add, new ExecutionSettings(runTimeout, concurrency, Duration.ofSeconds(5)),
                "rt-1", pool, Clock.systemUTC());
    }

    private static JobDefinition job(String pkg, Map<String, String> configuration) {
        return job("plan-1/task-1", pkg, configuration);
    }

    private static JobDefinition job(String id, String pkg, Map<String, String> configuration) {
        return new JobDefinition(id, id.substring(0, id.indexOf('/')), "Task", "* * * * * *", "comp", "ctl", "ap-1", "task-1",
                List.of(new ActivityDefinition("act-1", "Activity", SelectorSpec.EMPTY, "busy", pkg, "1.0.0", configuration)));
    }

    @Test
    void oneResultPerSubjectWithThePlanFields() {
        RunReport report = runner(Duration.ofMinutes(1), 8).run(job("sample", Map.of("k", "v")), "run-42");
        assertEquals(RunOutcome.SUCCEEDED, report.outcome());
        assertEquals(3, report.results());
        assertEquals(3, results.size());
        for (AssessmentResult r : results) {
            assertTrue(r.ok(), r.toString());
            assertEquals("run-42", r.runId());
            assertEquals("rt-1", r.runtimeId());
            assertEquals("ap-1", r.assessmentId());
            assertEquals("act-1", r.activityId());
            assertEquals("busy", r.plugin());
            assertTrue(r.resultId().matches("[0-9a-f]{32}"), r.resultId());
            assertNull(r.fireId(), "not a scheduled run");
            assertTrue(!r.finishedAt().isBefore(r.startedAt()));
        }
        String json = ResultJson.toJson(results.get(0));
        for (String key : List.of("\"status\":\"SUCCESS\"", "\"assessmentId\":\"ap-1\"", "\"componentId\":\"comp\"",
                "\"controlId\":\"ctl\"", "\"taskId\":\"task-1\"", "\"activityId\":\"act-1\"", "\"error\":\"\"",
                "\"subjects\":{\"Id\":\"busy-vm-", "\"observations\":[{", "\"findings\":[]", "\"risks\":[]", "\"logs\":[",
                "\"runId\":\"run-42\"", "\"runtimeId\":\"rt-1\"", "\"plugin\":\"busy\"", "\"package\":\"sample\"",
                "\"version\":\"1.0.0\"", "\"startedAt\":\"", "\"finishedAt\":\"", "\"durationMs\":",
                "\"resultId\":\"" + results.get(0).resultId() + "\"")) {
            assertTrue(json.contains(key), key + " missing in " + json);
        }
    }

    @Test
    void aMissingPackageIsAnErrorResultNotAnException() {
        RunReport report = runner(Duration.ofMinutes(1), 8).run(job("absent", Map.of()));
        assertEquals(RunOutcome.FAILED, report.outcome());
        assertEquals(1, results.size());
        assertTrue(results.get(0).error().startsWith("Evaluate: package absent@1.0.0 is not installed"), results.get(0).error());
    }

    @Test
    void subjectsNotAssessedByTheRunDeadlineAreReported() {
        RunReport report = runner(Duration.ofSeconds(1), 8).run(job("sample", Map.of("sleep_ms", "20000")));
        assertEquals(RunOutcome.FAILED, report.outcome());
        assertEquals(3, results.size(), results.toString());
        results.forEach(r -> assertTrue(r.error().contains("run deadline of 1000 ms exceeded"), r.error()));
    }

    @Test
    void firesWhileThePreviousRunIsGoingWaitInOrderAndOnlyTooManyAreSkipped() throws Exception {
        JobDefinition slow = job("sample", Map.of("sleep_ms", "300"));
        JobCatalog catalog = JobCatalog.of(List.of(slow));
        JobDispatcher dispatcher = new JobDispatcher(() -> catalog, runner(Duration.ofMinutes(1), 8), 4, ZoneOffset.UTC);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        CompletionStage<RunOutcome> first = dispatcher.handle(new Trigger(slow.id(), t0));
        List<CompletableFuture<RunOutcome>> waiting = new ArrayList<>();
        // handed over newest first: they still run in fire-time order
        for (int i = JobDispatcher.WAITING_FIRES_PER_JOB; i >= 1; i--) {
            waiting.add(dispatcher.handle(new Trigger(slow.id(), t0.plusSeconds(i))).toCompletableFuture());
        }
        CompletionStage<RunOutcome> tooMany = dispatcher.handle(new Trigger(slow.id(), t0.plusSeconds(30)));
        CompletionStage<RunOutcome> unknown = dispatcher.handle(new Trigger("no-such-job", Instant.parse("2026-01-01T00:00:01Z")));
        assertEquals(RunOutcome.SKIPPED_OVERLAP, tooMany.toCompletableFuture().getNow(null), "completes at once");
        assertTrue(unknown.toCompletableFuture().isDone(), "completes at once");
        assertNull(unknown.toCompletableFuture().getNow(RunOutcome.FAILED));
        assertFalse(first.toCompletableFuture().isDone(), "completes when the run is over");
        for (CompletableFuture<RunOutcome> w : waiting) {
            assertEquals(RunOutcome.SUCCEEDED, w.get(60, TimeUnit.SECONDS));
        }
        assertTrue(dispatcher.drain(Duration.ofSeconds(30)));
        assertEquals(RunOutcome.SUCCEEDED, first.toCompletableFuture().getNow(null));
        assertEquals(3 * (1 + JobDispatcher.WAITING_FIRES_PER_JOB), results.size(), "every fire but the skipped one ran");
        List<Instant> order = results.stream().map(AssessmentResult::scheduledAt).distinct().toList();
        assertEquals(order.stream().sorted().toList(), order, "one run at a time, oldest fire first");

        CompletableFuture<RunOutcome> afterDrain =
                dispatcher.handle(new Trigger(slow.id(), Instant.parse("2026-01-01T00:01:02Z"))).toCompletableFuture();
        ExecutionException notStarted = assertThrows(ExecutionException.class, afterDrain::get);
        assertInstanceOf(RejectedExecutionException.class, notStarted.getCause(), "not dealt with: given back");
        assertTrue(dispatcher.runningJobs().isEmpty());
    }

    @Test
    void theResultsOfOneFireHaveTheSameIdsWhereverItRunsAndDistinctIdsWhateverThePluginReturns() {
        Instant fireTime = Instant.parse("2026-01-01T00:00:05Z");
        JobDefinition job = job("sample", Map.of());
        runner(Duration.ofMinutes(1), 8).run(job, "run-on-runtime-a", fireTime);
        runner(Duration.ofMinutes(1), 8).run(job, "run-on-runtime-b", fireTime);
        List<String> a = results.subList(0, 3).stream().map(AssessmentResult::resultId).sorted().toList();
        List<String> b = results.subList(3, 6).stream().map(AssessmentResult::resultId).sorted().toList();
        assertEquals(a, b, "the same fire gives the same ids on every runtime");
        assertEquals(3, a.stream().distinct().count());
        results.forEach(r -> assertEquals(job.id() + "@2026-01-01T00:00:05Z", r.fireId()));
        assertTrue(ResultJson.toJson(results.get(0)).contains("\"fireId\":\"" + job.id() + "@2026-01-01T00:00:05Z\""));

        results.clear();
        runner(Duration.ofMinutes(1), 8).run(job, "run-c", fireTime.plusSeconds(1));
        assertTrue(results.stream().noneMatch(r -> a.contains(r.resultId())), "another fire, other ids");

        // careless subject ids: repeated, empty, CR/LF and non-ASCII, huge: every result kept, ids safe header values
        for (String id : List.of("same", "", "line\r\nbreak é ☃", "x".repeat(100_000))) {
            results.clear();
            runner(Duration.ofMinutes(1), 8).run(job("sample", Map.of("subject_id", id, "subjects", "4")), "run-d", fireTime);
            assertEquals(4, results.size());
            assertEquals(4, results.stream().map(AssessmentResult::resultId).distinct().count(), "distinct for " + id.length());
            results.forEach(r -> assertTrue(r.resultId().matches("[0-9a-f]{32}"), r.resultId()));
            results.forEach(r -> assertTrue(r.ok(), r.toString()));
        }
    }

    @Test
    void aDispatcherKeepsNothingForJobsThatAreNotRunning() throws Exception {
        List<JobDefinition> scheduled = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            scheduled.add(job("plan-" + i + "/task-1", "sample", Map.of("subjects", "1")));
        }
        JobCatalog catalog = JobCatalog.of(scheduled);
        JobDispatcher dispatcher = new JobDispatcher(() -> catalog, runner(Duration.ofMinutes(1), 8), 4, ZoneOffset.UTC);
        List<CompletableFuture<?>> runs = new ArrayList<>();
        for (JobDefinition job : scheduled) {
            runs.add(dispatcher.handle(new Trigger(job.id(), Instant.parse("2026-01-01T00:00:00Z"))).toCompletableFuture());
        }
        for (int i = 0; i < 20; i++) { // ad-hoc plans: a distinct job id each
            runs.add(dispatcher.runNow(List.of(job("adhoc-" + i + "/task-1", "sample", Map.of("subjects", "1"))), "run-" + i));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertEquals(40, results.size());
        assertEquals(0, dispatcher.lanesHeld(), "40 jobs ran and none runs now");
        assertTrue(dispatcher.drain(Duration.ofSeconds(30)));
    }

    @Test
    void aJobNeverRunsTwiceAtOnceWhileItsLaneComesAndGoes() throws Exception {
        JobDefinition quick = job("sample", Map.of("subjects", "1", "sleep_ms", "5"));
        JobDispatcher dispatcher = new JobDispatcher(() -> JobCatalog.of(List.of(quick)), runner(Duration.ofMinutes(1), 8),
                4, ZoneOffset.UTC);
        plugins.client(new PackageRef("sample", "1.0.0")).evaluate(EvaluateInput.getDefaultInstance()); // started
        List<CompletableFuture<?>> accepted = new CopyOnWriteArrayList<>();
        List<CompletableFuture<?>> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int caller = t;
            callers.add(CompletableFuture.runAsync(() -> {
                int mine = 0;
                while (mine < 10) { // each caller gets 10 runs in, contending with the other three
                    try {
                        CompletableFuture<Void> run = dispatcher.runNow(List.of(quick), "run-" + caller + "-" + mine);
                        accepted.add(run);
                        mine++;
                        run.join();
                    } catch (IllegalStateException running) {
                        Thread.onSpinWait(); // refused while another caller's run goes: try again
                    }
                }
            }, pool));
        }
        CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        assertEquals(40, accepted.size());
        Map<String, List<AssessmentResult>> byRun = new java.util.TreeMap<>();
        results.forEach(r -> byRun.computeIfAbsent(r.runId(), id -> new ArrayList<>()).add(r));
        assertEquals(accepted.size(), byRun.size());
        List<Instant[]> spans = byRun.values().stream()
                .map(rs -> new Instant[] {rs.get(0).startedAt(), rs.get(0).finishedAt()})
                .sorted(java.util.Comparator.comparing(span -> span[0])).toList();
        for (int i = 1; i < spans.size(); i++) {
            assertFalse(spans.get(i)[0].isBefore(spans.get(i - 1)[1]),
                    "run " + i + " started at " + spans.get(i)[0] + " before the previous one ended at " + spans.get(i - 1)[1]);
        }
        assertEquals(0, dispatcher.lanesHeld());
        assertTrue(dispatcher.drain(Duration.ofSeconds(30)));
    }

    @Test
    void aRunCutShortByShutdownGivesItsFireBackWithCancelledPlaceholders() throws Exception {
        JobDefinition slow = job("sample", Map.of("sleep_ms", "20000"));
        JobCatalog catalog = JobCatalog.of(List.of(slow));
        JobDispatcher dispatcher = new JobDispatcher(() -> catalog, runner(Duration.ofMinutes(1), 8), 4, ZoneOffset.UTC);
        Instant fireTime = Instant.parse("2026-01-01T00:00:00Z");
        plugins.client(new PackageRef("sample", "1.0.0")).evaluate(EvaluateInput.getDefaultInstance()); // started: Evaluate is quick
        CompletableFuture<RunOutcome> run = dispatcher.handle(new Trigger(slow.id(), fireTime)).toCompletableFuture();
        dispatcher.drain(Duration.ofSeconds(2)); // the grace is over long before the 20 s Execute calls: interrupted
        ExecutionException givenBack = assertThrows(ExecutionException.class, () -> run.get(30, TimeUnit.SECONDS));
        assertInstanceOf(JobDispatcher.RunCancelledException.class, givenBack.getCause());
        assertEquals(3, results.size(), results.toString());
        for (AssessmentResult r : results) {
            assertEquals(AssessmentResult.Status.CANCELLED, r.status(), r.toString());
            assertTrue(r.error().contains("cancelled by shutdown"), r.error());
            assertNotEquals(ResultIds.forFire(slow.id() + "@" + fireTime, "act-1", r.subject().getId(), 0), r.resultId(),
                    "a placeholder never takes the id of the real result of the fire's next run");
        }
    }

    @Test
    void aRuntimeTakesNoMoreRunsThanItHasRoomFor() throws Exception {
        List<JobDefinition> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JobDefinition j = job("sample", Map.of("sleep_ms", "400", "subjects", "1"));
            jobs.add(new JobDefinition("job-" + i, j.planId(), j.title(), j.schedule(), j.componentId(), j.controlId(),
                    j.assessmentPlanId(), "task-" + i, j.activities()));
        }
        JobCatalog catalog = JobCatalog.of(jobs);
        JobDispatcher dispatcher = new JobDispatcher(() -> catalog, runner(Duration.ofMinutes(1), 8), 2, ZoneOffset.UTC);
        assertEquals(2, dispatcher.room());
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        CompletableFuture<RunOutcome> first = dispatcher.handle(new Trigger("job-0", t)).toCompletableFuture();
        dispatcher.handle(new Trigger("job-1", t));
        assertEquals(0, dispatcher.room(), "two runs going: a shared queue takes nothing more");
        assertFalse(dispatcher.awaitRoom(Duration.ofMillis(50)));
        CompletableFuture<RunOutcome> third = dispatcher.handle(new Trigger("job-2", t)).toCompletableFuture();
        assertTrue(dispatcher.awaitRoom(Duration.ofSeconds(30)), "room again when a run ends");
        assertEquals(RunOutcome.SUCCEEDED, first.get(30, TimeUnit.SECONDS));
        assertEquals(RunOutcome.SUCCEEDED, third.get(30, TimeUnit.SECONDS), "a local fire beyond the room waits, not dropped");
        assertTrue(dispatcher.drain(Duration.ofSeconds(30)));
        assertEquals(3, results.size());
    }
}
