package io.ccf.ar.runtime.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

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
        return new JobDefinition("plan-1/task-1", "plan-1", "Task", "* * * * * *", "comp", "ctl", "ap-1", "task-1",
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
            assertTrue(r.resultId().startsWith("run-42:plan-1/task-1:act-1:busy-vm-"), r.resultId());
            assertTrue(!r.finishedAt().isBefore(r.startedAt()));
        }
        String json = ResultJson.toJson(results.get(0));
        for (String key : List.of("\"status\":\"SUCCESS\"", "\"assessmentId\":\"ap-1\"", "\"componentId\":\"comp\"",
                "\"controlId\":\"ctl\"", "\"taskId\":\"task-1\"", "\"activityId\":\"act-1\"", "\"error\":\"\"",
                "\"subjects\":{\"Id\":\"busy-vm-", "\"observations\":[{", "\"findings\":[]", "\"risks\":[]", "\"logs\":[",
                "\"runId\":\"run-42\"", "\"runtimeId\":\"rt-1\"", "\"plugin\":\"busy\"", "\"package\":\"sample\"",
                "\"version\":\"1.0.0\"", "\"startedAt\":\"", "\"finishedAt\":\"", "\"durationMs\":")) {
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
    void aFireWhileThePreviousRunIsGoingIsSkipped() {
        JobDefinition slow = job("sample", Map.of("sleep_ms", "1500"));
        JobCatalog catalog = JobCatalog.of(List.of(slow));
        JobDispatcher dispatcher = new JobDispatcher(() -> catalog, runner(Duration.ofMinutes(1), 8),
                Executors.newCachedThreadPool());
        CompletionStage<RunOutcome> first = dispatcher.handle(new Trigger(slow.id(), Instant.parse("2026-01-01T00:00:00Z")));
        CompletionStage<RunOutcome> overlap = dispatcher.handle(new Trigger(slow.id(), Instant.parse("2026-01-01T00:00:01Z")));
        CompletionStage<RunOutcome> unknown = dispatcher.handle(new Trigger("no-such-job", Instant.parse("2026-01-01T00:00:01Z")));
        assertEquals(RunOutcome.SKIPPED_OVERLAP, overlap.toCompletableFuture().getNow(null), "completes at once");
        assertTrue(unknown.toCompletableFuture().isDone(), "completes at once");
        assertNull(unknown.toCompletableFuture().getNow(RunOutcome.FAILED));
        assertFalse(first.toCompletableFuture().isDone(), "completes when the run is over");
        assertTrue(dispatcher.drain(Duration.ofSeconds(30)));
        assertEquals(RunOutcome.SUCCEEDED, first.toCompletableFuture().getNow(null));
        assertEquals(3, results.size(), "one run of three subjects, the overlapping fire skipped: " + results);
        assertEquals(1, results.stream().map(AssessmentResult::runId).distinct().count());

        CompletableFuture<RunOutcome> afterDrain =
                dispatcher.handle(new Trigger(slow.id(), Instant.parse("2026-01-01T00:00:02Z"))).toCompletableFuture();
        ExecutionException notStarted = assertThrows(ExecutionException.class, afterDrain::get);
        assertInstanceOf(RejectedExecutionException.class, notStarted.getCause(), "not dealt with: given back");
        assertTrue(dispatcher.runningJobs().isEmpty());
    }
}
