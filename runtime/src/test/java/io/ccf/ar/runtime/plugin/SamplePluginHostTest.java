package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Plan;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.SubjectType;
import io.grpc.Status;

/** Our host with our SDK's sample plugin: the real jar, launched as a real child JVM. */
class SamplePluginHostTest {
    @TempDir
    Path dir;
    private PluginManager manager;

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.stop();
        }
    }

    private PluginManager startSample(PluginHostOptions options) {
        PackageRef ref = new TestPackages(dir).jar("sample", "1.0.0", TestPackages.sampleJar());
        manager = new PluginManager(new TestPackages(dir).layout(), options);
        Map<PackageRef, PluginException> failures = manager.start(List.of(
                new PluginSpec("busy", ref, Map.of("greeting", "hello")),
                new PluginSpec("busy-too", ref, Map.of())));
        assertTrue(failures.isEmpty(), failures.toString());
        return manager;
    }

    private static ExecuteInput executeInput(Subject subject, Map<String, String> configuration) {
        return ExecuteInput.newBuilder()
                .setPlan(Plan.newBuilder().setId("plan-1").setTaskId("task-1").setActivityId("act-1"))
                .setSubject(subject)
                .putProps("namespace", "busy")
                .putAllConfiguration(configuration)
                .build();
    }

    @Test
    void evaluateThenExecuteEverySubject() {
        PluginManager m = startSample(PluginHostOptions.defaults());
        assertEquals(1, m.states().size(), "two plugins of one package version share one child");
        EvaluateResult evaluated = m.evaluate("busy", EvaluateInput.newBuilder().putConfiguration("greeting", "hello").build());
        assertEquals(3, evaluated.getSubjectsCount());
        assertEquals("busy", evaluated.getPropsMap().get("namespace"));
        for (int i = 0; i < 3; i++) {
            Subject subject = evaluated.getSubjects(i);
            assertEquals("Busy Virtual Machine " + i, subject.getTitle());
            assertEquals(SubjectType.INVENTORY_ITEM, subject.getType());
            assertEquals(String.valueOf(i), subject.getPropsMap().get("id"));

            ExecuteResult result = m.execute("busy", executeInput(subject, Map.of("greeting", "hello", "region", "eu")));
            assertEquals(ExecutionStatus.SUCCESS, result.getStatus());
            assertEquals(1, result.getObservationsCount());
            Observation observation = result.getObservations(0);
            assertEquals(subject.getId(), observation.getSubjectId());
            Map<String, String> props = observation.getPropsList().stream()
                    .collect(java.util.stream.Collectors.toMap(Property::getName, Property::getValue, (a, b) -> b));
            assertEquals("hello", props.get("greeting"));
            assertEquals("eu", props.get("region"));
            assertFalse(result.getLogsList().isEmpty());
        }
        assertEquals(PluginState.READY, m.client("busy").state());
    }

    @Test
    void executeErrorIsReportedAndThePluginStaysUp() {
        PluginManager m = startSample(PluginHostOptions.defaults());
        Subject subject = m.evaluate("busy", EvaluateInput.getDefaultInstance()).getSubjects(0);
        long pid = m.client("busy").pid().orElseThrow();
        PluginCallException e = assertThrows(PluginCallException.class,
                () -> m.execute("busy", executeInput(subject, Map.of("fail", "true"))));
        assertEquals(Status.Code.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("plugin sample@1.0.0 Execute failed: INTERNAL"), e.getMessage());
        assertEquals(ExecutionStatus.SUCCESS, m.execute("busy", executeInput(subject, Map.of())).getStatus());
        assertEquals(pid, m.client("busy").pid().orElseThrow());
    }

    @Test
    void crashDuringExecuteIsExplainedAndTheNextCallRestarts() throws Exception {
        PluginManager m = startSample(PluginHostOptions.defaults());
        Subject subject = m.evaluate("busy", EvaluateInput.getDefaultInstance()).getSubjects(0);
        long firstPid = m.client("busy").pid().orElseThrow();
        PluginCallException crash = assertThrows(PluginCallException.class,
                () -> m.execute("busy", executeInput(subject, Map.of("exit_on_execute", "true"))));
        assertTrue(crash.getMessage().contains("died during Execute"), crash.getMessage());
        assertTrue(crash.getMessage().contains("exited with code 3"), crash.getMessage());
        assertTrue(m.client("busy").awaitState(PluginState.FAILED, Duration.ofSeconds(5)));

        ExecuteResult again = m.execute("busy", executeInput(subject, Map.of()));
        assertEquals(ExecutionStatus.SUCCESS, again.getStatus());
        long secondPid = m.client("busy").pid().orElseThrow();
        assertNotEquals(firstPid, secondPid);
        assertEquals(PluginState.READY, m.client("busy").state());
    }

    @Test
    void hangingExecuteHitsTheCallDeadline() {
        PluginManager m = startSample(PluginHostOptions.builder().callTimeout(Duration.ofMillis(500)).build());
        Subject subject = m.evaluate("busy", EvaluateInput.getDefaultInstance()).getSubjects(0);
        PluginCallException e = assertThrows(PluginCallException.class,
                () -> m.execute("busy", executeInput(subject, Map.of("sleep_ms", "5000"))));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
        assertTrue(e.getMessage().contains("did not answer Execute within 500 ms (callTimeout)"), e.getMessage());
        assertEquals(ExecutionStatus.SUCCESS, m.execute("busy", executeInput(subject, Map.of())).getStatus());
    }

    @Test
    void aRetiredVersionFinishesItsCallInFlightThenStops() throws Exception {
        PluginManager m = startSample(PluginHostOptions.defaults());
        PluginClient old = m.client("busy");
        ProcessHandle handle = ProcessHandle.of(old.pid().orElseThrow()).orElseThrow();
        Subject subject = m.evaluate("busy", EvaluateInput.getDefaultInstance()).getSubjects(0);
        java.util.concurrent.CompletableFuture<ExecuteResult> inFlight = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> old.execute(executeInput(subject, Map.of("sleep_ms", "1500"))));
        assertTrue(io.ccf.ar.runtime.testing.Processes.eventually(Duration.ofSeconds(10),
                () -> old.callsInFlight() == 1), "the call is in flight");

        assertEquals(java.util.Set.of(old.ref()), m.retainOnly(List.of()));
        assertTrue(handle.isAlive(), "not stopped under a call in flight");
        assertEquals(ExecutionStatus.SUCCESS, inFlight.get(10, TimeUnit.SECONDS).getStatus(), "the call in flight completes");
        handle.onExit().get(10, TimeUnit.SECONDS); // then the child goes
        assertTrue(old.awaitState(PluginState.STOPPED, Duration.ofSeconds(10)), old.state().toString());
        assertTrue(m.states().isEmpty(), "the manager no longer hands it out");
        assertThrows(PluginException.class, () -> m.client("busy"), "its plugins are forgotten");

        // a run of the old plan still going asks by package version: refused, and no child nobody would stop
        PluginException late = assertThrows(PluginException.class, () -> m.client(old.ref()));
        assertTrue(late.getMessage().contains("is not used by any job"), late.getMessage());
        assertTrue(m.states().isEmpty(), "no new client of the retired version");
        // a plan that names the version again brings it back
        m.start(List.of(new PluginSpec("busy", old.ref(), Map.of())));
        assertEquals(PluginState.READY, m.client(old.ref()).state());
    }

    @Test
    void stopIsGracefulAndLeavesNoProcess() throws Exception {
        PluginManager m = startSample(PluginHostOptions.defaults());
        long pid = m.client("busy").pid().orElseThrow();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        long t0 = System.nanoTime();
        m.stop();
        handle.onExit().get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(handle.isAlive());
        assertEquals(PluginState.STOPPED, m.client("busy").state());
        assertTrue(millis < 2000, "Controller.Shutdown should end the plugin before the 2 s kill; took " + millis + " ms");
    }

    @Test
    void theSampleJarRefusesToRunWithoutTheCookie() throws Exception {
        Process p = new ProcessBuilder(PluginHostOptions.defaults().javaCommand().toString(), "-jar",
                TestPackages.sampleJar().toString()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        assertEquals("", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(stderr.contains("plugin"), stderr);
    }
}
