package io.ccf.ar.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ccf.ar.proto.EvaluateResult;
import io.ccf.ar.proto.ExecuteResult;
import io.ccf.ar.proto.ExecutionStatus;
import io.ccf.ar.proto.Observation;
import io.ccf.ar.proto.Plan;
import io.ccf.ar.proto.Property;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A well-behaved plugin driven through the harness: real child JVM, handshake, gRPC. */
class PluginHarnessTest {

    @ParameterizedTest(name = "autoMtls={0}")
    @ValueSource(booleans = {true, false})
    void evaluatesExecutesAssertsAndStopsTheChild(boolean autoMtls) {
        long pid;
        try (PluginHarness plugin = PluginHarness.forProvider(InventoryPlugin.class)
                .config("subjects", "vm-1,vm-2,vm-3")
                .config("noncompliant", "vm-2")
                .plan(Plan.newBuilder().setActivityId("act-1").build())
                .autoMtls(autoMtls)
                .start()) {
            pid = plugin.pid();
            assertTrue(ChildProcesses.isAlive(pid));
            // the SDK logs how it serves: the harness negotiated TLS only when asked to
            plugin.awaitLogLine(autoMtls ? "\"tls\":\"auto-mTLS\"" : "\"tls\":\"plaintext\"");
            // Init got the configuration
            assertTrue(plugin.initResult().getLogs(0).getTitle().contains("noncompliant=vm-2"),
                    plugin.initResult().toString());

            EvaluateResult subjects = plugin.evaluate();
            PluginAssertions.assertSubjectIds(subjects, "vm-1", "vm-2", "vm-3");

            ExecuteResult one = plugin.execute(subjects.getSubjects(0));
            PluginAssertions.assertSucceeded(one);
            Observation seen = PluginAssertions.assertObservationFor(one, "vm-1");
            // Execute got the configuration and Evaluate's props
            List<String> props = seen.getPropsList().stream().map(p -> p.getName() + "=" + p.getValue())
                    .sorted().collect(Collectors.toList());
            assertEquals(List.of("config.noncompliant=vm-2", "config.subjects=vm-1,vm-2,vm-3",
                    "props.evaluated=yes"), props);

            List<ExecuteResult> all = plugin.executeAll();
            assertEquals(3, all.size());
            assertEquals(List.of("vm-1", "vm-2", "vm-3"), all.stream()
                    .map(r -> r.getObservations(0).getSubjectId()).collect(Collectors.toList()));
            PluginAssertions.assertFailed(all.get(1));
            PluginAssertions.assertFindingFor(all.get(1), "vm-2");

            // PluginLog's lines, debug included (the harness's default level)
            plugin.awaitLogLine("\"@message\":\"evaluated\"");
            String assessed = plugin.awaitLogLine("\"subject\":\"vm-3\"");
            assertTrue(assessed.contains("\"@module\":\"InventoryPlugin\""), assessed);
            assertTrue(plugin.logLines().contains(assessed));
        }
        ChildProcesses.assertGone(pid);
    }

    @Test
    void closeStopsThePluginThroughShutdownWithinTheStopTimeout() {
        PluginHarness plugin = PluginHarness.forProvider(InventoryPlugin.class).name("inventory").start();
        long pid = plugin.pid();
        long t0 = System.nanoTime();
        plugin.close();
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        ChildProcesses.assertGone(pid);
        assertEquals(0, plugin.exitCode().orElseThrow(), "a plugin that exits on Shutdown exits 0");
        assertTrue(ms < 2_000, "closed in " + ms + " ms");
        assertTrue(plugin.logLines().stream().anyMatch(l -> l.contains("plugin stopping")), plugin.logLines()::toString);
        assertTrue(plugin.logLines().stream().noneMatch(l -> l.contains("[harness] killed")), plugin.logLines()::toString);
        plugin.close(); // idempotent
    }

    @Test
    void executeWithAnExplicitInputSendsExactlyThat() {
        try (PluginHarness plugin = PluginHarness.forProvider(InventoryPlugin.class).config("x", "1")
                .callTimeout(Duration.ofSeconds(5)).start()) {
            ExecuteResult r = plugin.execute(io.ccf.ar.proto.ExecuteInput.newBuilder()
                    .setSubject(io.ccf.ar.proto.Subject.newBuilder().setId("vm-9"))
                    .putConfiguration("noncompliant", "vm-9").build());
            assertEquals(ExecutionStatus.FAILURE, r.getStatus());
            assertEquals(List.of(Property.newBuilder().setName("config.noncompliant").setValue("vm-9").build()),
                    r.getObservations(0).getPropsList());
        }
    }
}
