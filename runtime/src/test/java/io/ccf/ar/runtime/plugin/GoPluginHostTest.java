package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteInput;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Property;
import io.ccf.ar.proto.Subject;
import io.grpc.Status;

/** Interop: our host runs a real Go go-plugin plugin (Debian's go-plugin 1.0.1) over its Unix socket. */
class GoPluginHostTest {
    @TempDir
    Path dir;
    private PluginManager manager;

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.stop();
        }
    }

    private PluginManager startGoPlugin() {
        PackageRef ref = new TestPackages(dir).executable("goplugin", "0.1.0", GoInterop.goPlugin());
        manager = new PluginManager(new TestPackages(dir).layout(), PluginHostOptions.defaults());
        Map<PackageRef, PluginException> failures = manager.start(List.of(new PluginSpec("go", ref, Map.of())));
        assertTrue(failures.isEmpty(), failures.toString());
        return manager;
    }

    @Test
    void hostsTheGoPluginOverAUnixSocket() {
        PluginManager m = startGoPlugin();
        EvaluateResult evaluated = m.evaluate("go", EvaluateInput.getDefaultInstance());
        assertEquals(3, evaluated.getSubjectsCount());
        assertEquals("go", evaluated.getPropsMap().get("implementation"));
        for (Subject subject : evaluated.getSubjectsList()) {
            ExecuteResult result = m.execute("go", ExecuteInput.newBuilder().setSubject(subject)
                    .putConfiguration("region", "eu").putAllProps(evaluated.getPropsMap()).build());
            assertEquals(ExecutionStatus.SUCCESS, result.getStatus());
            Map<String, String> props = result.getObservations(0).getPropsList().stream()
                    .collect(Collectors.toMap(Property::getName, Property::getValue, (a, b) -> b));
            assertEquals("eu", props.get("region"));
            assertEquals(subject.getId(), result.getObservations(0).getSubjectId());
        }
    }

    @Test
    void goPluginErrorsAndCrashesAreReportedAndRecovered() throws Exception {
        PluginManager m = startGoPlugin();
        Subject subject = m.evaluate("go", EvaluateInput.getDefaultInstance()).getSubjects(0);
        PluginCallException failure = assertThrows(PluginCallException.class, () -> m.execute("go",
                ExecuteInput.newBuilder().setSubject(subject).putConfiguration("fail", "true").build()));
        assertEquals(Status.Code.INTERNAL, failure.code());
        assertTrue(failure.getMessage().contains("requested failure"), failure.getMessage());

        long pid = m.client("go").pid().orElseThrow();
        PluginCallException panic = assertThrows(PluginCallException.class, () -> m.execute("go",
                ExecuteInput.newBuilder().setSubject(subject).putConfiguration("panic", "true").build()));
        assertTrue(panic.getMessage().contains("died during Execute"), panic.getMessage());
        assertTrue(panic.getMessage().contains("panic"), panic.getMessage());
        assertTrue(m.client("go").awaitState(PluginState.FAILED, Duration.ofSeconds(5)));

        ExecuteResult again = m.execute("go", ExecuteInput.newBuilder().setSubject(subject).build());
        assertEquals(ExecutionStatus.SUCCESS, again.getStatus());
        assertNotEquals(pid, m.client("go").pid().orElseThrow());
    }

    @Test
    void stopEndsTheGoPluginPromptly() throws Exception {
        PluginManager m = startGoPlugin();
        m.evaluate("go", EvaluateInput.getDefaultInstance());
        long pid = m.client("go").pid().orElseThrow();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        m.stop();
        handle.onExit().get(5, TimeUnit.SECONDS);
        assertFalse(handle.isAlive());
        assertEquals(PluginState.STOPPED, m.client("go").state());
    }
}
