package io.ccf.ar.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Subject;
import io.ccf.ar.proto.SubjectType;
import io.ccf.ar.sdk.testing.PluginAssertions;
import io.ccf.ar.sdk.testing.PluginCallException;
import io.ccf.ar.sdk.testing.PluginHarness;
import io.grpc.Status;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * BusyPlugin as the runtime runs it: a real child process started through the go-plugin
 * handshake by the SDK's test harness ({@link PluginHarness#forProvider}), called over gRPC.
 * {@link BusyPluginJarIT} runs the shaded jar the same way.
 */
class BusyPluginTest {

    @Test
    void evaluateReturnsThreeBusyMachinesAndTheNamespace() {
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).name("busy").start()) {
            EvaluateResult r = plugin.evaluate();
            PluginAssertions.assertSubjectIds(r, "busy-vm-0", "busy-vm-1", "busy-vm-2");
            for (int i = 0; i < 3; i++) {
                Subject s = r.getSubjects(i);
                assertEquals("Busy Virtual Machine " + i, s.getTitle());
                assertEquals(SubjectType.INVENTORY_ITEM, s.getType());
                assertEquals(Map.of("id", Integer.toString(i)), s.getPropsMap());
            }
            assertEquals(Map.of("namespace", "busy"), r.getPropsMap());
            // its debug line, through PluginLog on stderr
            String line = plugin.awaitLogLine("\"@message\":\"evaluated\"");
            assertTrue(line.contains("\"@module\":\"busy\"") && line.contains("\"subjects\":3"), line);
        }
    }

    @Test
    void subjectsSwitchSetsHowManyMachinesEvaluateReturns() {
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).config("subjects", "100").start()) {
            EvaluateResult r = plugin.evaluate();
            assertEquals(100, r.getSubjectsCount());
            assertEquals("busy-vm-99", r.getSubjects(99).getId());
        }
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).config("subjects", "many").start()) {
            PluginCallException e = assertThrows(PluginCallException.class, plugin::evaluate);
            assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
            assertTrue(e.description().contains("subjects must be a number from 0 to 100000, not 'many'"),
                    e.description());
        }
    }

    @Test
    void everySubjectIsObservedWithTheConfigurationAndEvaluateProps() {
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class)
                .config("region", "eu").config("tier", "gold").start()) {
            List<ExecuteResult> all = plugin.executeAll();
            assertEquals(3, all.size());
            for (int i = 0; i < 3; i++) {
                ExecuteResult r = all.get(i);
                PluginAssertions.assertSucceeded(r);
                Observation o = PluginAssertions.assertObservationFor(r, "busy-vm-" + i);
                assertEquals(1, r.getObservationsCount());
                UUID.fromString(o.getId());
                assertFalse(o.getTitle().isEmpty());
                OffsetDateTime.parse(o.getCollected()); // RFC 3339
                List<String> props = o.getPropsList().stream()
                        .map(p -> p.getName() + "=" + p.getValue()).collect(Collectors.toList());
                assertEquals(List.of("region=eu", "tier=gold", "namespace=busy"), props);
                assertTrue(r.getLogsCount() >= 1);
                assertEquals("Assessed busy-vm-" + i, r.getLogs(0).getTitle());
            }
        }
    }

    @Test
    void failTrueFailsExecuteWithInternalNamingTheSubject() {
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).config("fail", "true").start()) {
            PluginCallException e = assertThrows(PluginCallException.class, plugin::executeAll);
            assertEquals("Execute", e.call());
            assertEquals(Status.Code.INTERNAL, e.code());
            assertEquals("java.lang.IllegalStateException: execute failed on purpose (fail=true) for busy-vm-0",
                    e.description());
            assertTrue(plugin.isRunning(), "a failed call does not end the plugin");
        }
    }

    @Test
    void sleepMsDelaysExecuteAndABadValueIsInvalidArgument() {
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).config("sleep_ms", "300").start()) {
            Subject subject = plugin.evaluate().getSubjects(2);
            long t0 = System.nanoTime();
            PluginAssertions.assertSucceeded(plugin.execute(subject));
            assertTrue((System.nanoTime() - t0) / 1_000_000L >= 300);
        }
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).config("sleep_ms", "soon").start()) {
            PluginCallException e = assertThrows(PluginCallException.class, plugin::executeAll);
            assertEquals("Execute", e.call());
            assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        }
        assertEquals(0, BusyPlugin.sleepMillis(null));
        assertEquals(5, BusyPlugin.sleepMillis(" 5 "));
    }

    @Test
    void exitOnExecuteCrashesTheProcessWithCode3() {
        long pid;
        try (PluginHarness plugin = PluginHarness.forProvider(BusyPlugin.class).config("exit_on_execute", "true")
                .start()) {
            pid = plugin.pid();
            PluginCallException e = assertThrows(PluginCallException.class, plugin::executeAll);
            assertEquals(3, e.exitCode(), e.getMessage());
            assertTrue(e.getMessage().contains("exiting on purpose (exit_on_execute=true)"), e.getMessage());
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }
}
