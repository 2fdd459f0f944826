package io.ccf.ar.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Plugins that crash, hang or throw: clear exceptions, timeouts kept, no child left behind. */
class PluginFailureTest {

    @ParameterizedTest(name = "execute={0}")
    @CsvSource({"exit, 9", "halt, 7"})
    void aCrashInExecuteNamesTheCallTheExitCodeAndTheStderrTail(String how, int code) {
        long pid;
        try (PluginHarness plugin = PluginHarness.forProvider(MisbehavingPlugin.class).config("execute", how)
                .start()) {
            pid = plugin.pid();
            PluginCallException e = assertThrows(PluginCallException.class, plugin::executeAll);
            assertEquals("Execute", e.call());
            assertTrue(e.processExited());
            assertEquals(code, e.exitCode());
            assertEquals(Status.Code.UNAVAILABLE, e.code(), e.getMessage());
            assertTrue(e.getMessage().startsWith("Execute of subject 'vm-1' failed: the plugin process exited with"
                    + " code " + code + " during the call (UNAVAILABLE"), e.getMessage());
            assertTrue(e.getMessage().contains("about to misbehave"), "stderr tail in: " + e.getMessage());
            assertFalse(plugin.isRunning());

            PluginCallException next = assertThrows(PluginCallException.class, plugin::evaluate);
            assertTrue(next.getMessage().startsWith("Evaluate not made: the plugin process is not running (it exited"
                    + " with code " + code + ")"), next.getMessage());
        }
        ChildProcesses.assertGone(pid);
    }

    @Test
    void aHangingExecuteTimesOutAfterTheCallTimeoutAndCloseKillsThePlugin() {
        long pid;
        PluginCallException e;
        long closeMs;
        try (PluginHarness plugin = PluginHarness.forProvider(MisbehavingPlugin.class).config("execute", "hang")
                .callTimeout(Duration.ofSeconds(3)).stopTimeout(Duration.ofMillis(300)).start()) {
            pid = plugin.pid();
            io.ccf.ar.proto.Subject subject = plugin.evaluate().getSubjects(0);
            long t0 = System.nanoTime();
            e = assertThrows(PluginCallException.class, () -> plugin.execute(subject));
            long ms = (System.nanoTime() - t0) / 1_000_000L;
            assertTrue(ms >= 2900 && ms < 5000, "Execute took " + ms + " ms with a 3 s call timeout");
            assertEquals("Execute", e.call());
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
            assertFalse(e.processExited());
            assertTrue(e.getMessage().startsWith("Execute of subject 'vm-1' timed out: no answer within the call"
                    + " timeout of PT3S"), e.getMessage());
            assertTrue(e.getMessage().contains("still running: it may be stuck (see its threads with jstack " + pid),
                    e.getMessage());
            assertTrue(e.getMessage().contains("about to misbehave"), e.getMessage());
            assertTrue(plugin.isRunning());
            t0 = System.nanoTime();
            plugin.close();
            closeMs = (System.nanoTime() - t0) / 1_000_000L;
            // the plugin hangs in Shutdown too; the SDK would halt it after about 1.7 s, the 0.3 s stop timeout is shorter
            assertTrue(plugin.logLines().stream().anyMatch(l -> l.startsWith("[harness] killed the plugin")),
                    plugin.logLines()::toString);
        }
        ChildProcesses.assertGone(pid);
        assertTrue(closeMs < 1500, "close took " + closeMs + " ms with a 0.3 s stop timeout");
    }

    @Test
    void anExceptionInExecuteIsInvalidArgumentWithItsMessageAndThePluginKeepsServing() {
        try (PluginHarness plugin = PluginHarness.forProvider(MisbehavingPlugin.class).config("execute", "throw")
                .start()) {
            PluginCallException e = assertThrows(PluginCallException.class,
                    () -> plugin.execute(plugin.evaluate().getSubjects(0)));
            assertEquals("Execute", e.call());
            assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
            assertEquals("java.lang.IllegalArgumentException: path must be absolute, not 'tmp'", e.description());
            assertFalse(e.processExited());
            assertTrue(e.getMessage().startsWith("Execute of subject 'vm-1' failed with INVALID_ARGUMENT:"
                    + " java.lang.IllegalArgumentException: path must be absolute"), e.getMessage());
            // the SDK logs the failure (before it answers; the line and the answer travel different pipes, so
            // the tail in the message may or may not show it yet)
            assertTrue(plugin.awaitLogLine("\"@message\":\"Execute failed\"").contains("path must be absolute"));
            assertTrue(plugin.isRunning());
            assertEquals(1, plugin.evaluate().getSubjectsCount());
        }
    }

    @Test
    void aPluginThatExitsBeforeTheHandshakeFailsTheStartAtOnceWithItsStderr() {
        long t0 = System.nanoTime();
        PluginStartException e = assertThrows(PluginStartException.class,
                () -> PluginHarness.forProvider(BrokenConstructorPlugin.class).start().close());
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertTrue(e.getMessage().startsWith("cannot start plugin BrokenConstructorPlugin (exited with code 1):"
                + " failed to read the go-plugin handshake: the plugin process exited with code 1 before its"
                + " go-plugin handshake"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot read /etc/broken-plugin.conf"), e.getMessage());
        assertTrue(ms < 20_000, "failed in " + ms + " ms, not after the 30 s start timeout");
    }

    @Test
    void aPluginThatNeverHandshakesFailsAfterTheStartTimeoutAndIsKilled() {
        long t0 = System.nanoTime();
        PluginStartException e = assertThrows(PluginStartException.class,
                () -> PluginHarness.forProvider(BrokenConstructorPlugin.class).env("BROKEN_PLUGIN", "hang")
                        .startTimeout(Duration.ofSeconds(2)).start().close());
        long ms = (System.nanoTime() - t0) / 1_000_000L;
        assertTrue(ms >= 2000 && ms < 6000, "failed after " + ms + " ms with a 2 s start timeout");
        assertTrue(e.getMessage().startsWith("cannot start plugin BrokenConstructorPlugin: failed to read the"
                + " go-plugin handshake: no go-plugin handshake line on stdout within the start timeout of PT2S"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the plugin wrote nothing to stderr"), e.getMessage());
        // the child's pid is not exposed by a failed start: no JVM running the launcher may be left
        assertTrue(ProcessHandle.current().children().noneMatch(p -> p.info().arguments()
                .map(a -> String.join(" ", a).contains(BrokenConstructorPlugin.class.getName())).orElse(false)));
    }

    @Test
    void aMissingJarIsAStartFailureThatSaysToBuildIt() {
        PluginStartException e = assertThrows(PluginStartException.class,
                () -> PluginHarness.forJar(Path.of("target/no-such-plugin.jar")).start().close());
        assertTrue(e.getMessage().contains("no-such-plugin.jar does not exist; build it first"), e.getMessage());
    }

    @Test
    void aProviderWithoutANoArgumentConstructorIsRefusedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PluginHarness.forProvider(NeedsArgumentPlugin.class));
        assertTrue(e.getMessage().contains("needs a public no-argument constructor"), e.getMessage());
    }

    /** Cannot be created by name. */
    public static final class NeedsArgumentPlugin implements io.ccf.ar.sdk.Provider {
        public NeedsArgumentPlugin(String path) {
        }

        @Override
        public io.ccf.ar.proto.EvaluateResult evaluate(io.ccf.ar.proto.EvaluateInput input) {
            return io.ccf.ar.proto.EvaluateResult.getDefaultInstance();
        }

        @Override
        public io.ccf.ar.proto.ExecuteResult execute(io.ccf.ar.proto.ExecuteInput input) {
            return io.ccf.ar.proto.ExecuteResult.getDefaultInstance();
        }
    }
}
