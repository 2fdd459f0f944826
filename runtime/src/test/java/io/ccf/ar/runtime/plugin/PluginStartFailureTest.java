package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ccf.ar.proto.EvaluateInput;
import io.ccf.ar.runtime.testing.Processes;

/** Real child processes (shell scripts) that break the handshake in every way we can think of. */
class PluginStartFailureTest {
    @TempDir
    Path dir;
    private PluginManager manager;

    private PluginManager manager(PluginHostOptions options) {
        manager = new PluginManager(new TestPackages(dir).layout(), options);
        return manager;
    }

    /** Shell-script plugins fake a plaintext handshake (no certificate in field 6): auto-mTLS off. */
    private static PluginHostOptions.Builder plaintextFake() {
        return PluginHostOptions.builder().autoMTLS(false);
    }

    private static PluginHostOptions fast() {
        return PluginHostOptions.builder().startTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.stop();
        }
    }

    private PluginStartException startFailure(PluginManager m, PackageRef ref) {
        m.start(List.of(new PluginSpec("p", ref, Map.of())));
        return assertThrows(PluginStartException.class, () -> m.evaluate("p", EvaluateInput.getDefaultInstance()));
    }

    @Test
    void garbageBeforeTheHandshakeIsShown() {
        PackageRef ref = new TestPackages(dir).script("chatty", "1.0", "echo 'Hello from main()'\nexec sleep 60");
        PluginStartException e = startFailure(manager(fast()), ref);
        assertTrue(e.getMessage().contains("unrecognised handshake line"), e.getMessage());
        assertTrue(e.getMessage().contains("Hello from main()"), e.getMessage());
        assertEquals(PluginState.FAILED, manager.client("p").state());
        assertTrue(manager.client("p").pid().isEmpty(), "the chatty process must be killed");
    }

    @Test
    void exitBeforeTheHandshakeShowsCodeAndStderr() {
        PackageRef ref = new TestPackages(dir).script("crashy", "1.0",
                "echo \"cookie=$AR_PLUGIN versions=$PLUGIN_PROTOCOL_VERSIONS\" >&2\necho 'fatal: no config' >&2\nexit 3");
        PluginStartException e = startFailure(manager(fast()), ref);
        assertTrue(e.getMessage().contains("exited with code 3 before the handshake"), e.getMessage());
        assertTrue(e.getMessage().contains("fatal: no config"), e.getMessage());
        assertTrue(e.getMessage().contains("cookie=" + PluginHostOptions.COOKIE_VALUE + " versions=1"), e.getMessage());
    }

    @Test
    void hangingPluginHitsTheStartTimeout() {
        PackageRef ref = new TestPackages(dir).script("hang", "1.0", "exec sleep 60");
        PluginStartException e = startFailure(manager(PluginHostOptions.builder()
                .startTimeout(Duration.ofMillis(700)).build()), ref);
        assertTrue(e.getMessage().contains("no handshake within 700 ms"), e.getMessage());
    }

    @Test
    void netRpcPluginIsRefused() {
        PackageRef ref = new TestPackages(dir).script("old", "1.0", "echo '1|1|tcp|127.0.0.1:1234|netrpc'\nexec sleep 60");
        PluginStartException e = startFailure(manager(fast()), ref);
        assertTrue(e.getMessage().contains("supports only grpc"), e.getMessage());
    }

    @Test
    void handshakeToNothingFailsTheHealthCheck() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PackageRef ref = new TestPackages(dir).script("liar", "1.0", "echo '1|1|tcp|127.0.0.1:" + port + "|grpc|'\nexec sleep 60");
        PluginStartException e = startFailure(manager(plaintextFake()
                .startTimeout(Duration.ofSeconds(1)).build()), ref);
        assertTrue(e.getMessage().contains("failed the health check"), e.getMessage());
    }

    @Test
    void repeatedFailuresBackOffWithAClearError() {
        PackageRef ref = new TestPackages(dir).script("crashy", "1.0", "exit 1");
        PluginManager m = manager(PluginHostOptions.builder()
                .restartBackoff(Duration.ofMinutes(5), Duration.ofMinutes(10)).build());
        Map<PackageRef, PluginException> failures = m.start(List.of(new PluginSpec("p", ref, Map.of())));
        assertTrue(failures.get(ref).getMessage().contains("exited with code 1"), failures.toString());
        // the first restart is immediate, and fails again
        PluginStartException second = assertThrows(PluginStartException.class, () -> m.evaluate("p", EvaluateInput.getDefaultInstance()));
        assertTrue(second.getMessage().contains("exited with code 1"), second.getMessage());
        // now it backs off instead of spawning again
        PluginStartException third = assertThrows(PluginStartException.class, () -> m.evaluate("p", EvaluateInput.getDefaultInstance()));
        assertTrue(third.getMessage().contains("failed 2 time(s) in a row); next restart attempt in"), third.getMessage());
    }

    @Test
    void missingPackageAndUnknownPluginAreClear() {
        PluginManager m = manager(fast());
        Map<PackageRef, PluginException> failures = m.start(List.of(new PluginSpec("p", "absent", "9.9", Map.of())));
        assertTrue(failures.get(new PackageRef("absent", "9.9")) instanceof PluginNotFoundException, failures.toString());
        PluginException unknown = assertThrows(PluginException.class, () -> m.evaluate("nope", EvaluateInput.getDefaultInstance()));
        assertTrue(unknown.getMessage().contains("unknown plugin \"nope\"; configured plugins: [p]"), unknown.getMessage());
    }

    /** A script that prints {@code handshake} and then waits on a grandchild whose command line names {@code dir}. */
    private static String printsThenWaits(String handshake) {
        return "echo '" + handshake + "'\nsh -c 'sleep 60; :' \"$0\"";
    }

    private void noLiveProcessLeft() throws InterruptedException {
        assertTrue(Processes.eventually(Duration.ofSeconds(10), () -> Processes.liveWithCommandLineContaining(dir.toString()).isEmpty()),
                "live processes left: " + Processes.liveWithCommandLineContaining(dir.toString()));
    }

    @Test
    void aHandshakeLineOverTheLimitIsRefusedAtOnceAndTheChildKilled() throws Exception {
        PackageRef ref = new TestPackages(dir).script("long", "1.0",
                "head -c 100000 /dev/zero | tr '\\0' 1\nsh -c 'sleep 60; :' \"$0\"");
        long t0 = System.nanoTime();
        PluginStartException e = startFailure(manager(PluginHostOptions.builder().startTimeout(Duration.ofSeconds(30)).build()), ref);
        assertTrue(e.getMessage().contains("handshake line longer than 4096 bytes (the host's limit) or without a newline"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 20, "refused at the limit, not at the start timeout");
        noLiveProcessLeft();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1|1|tcp|nonsense|grpc|", "1|1|tcp|127.0.0.1:99999|grpc|", "1|1|tcp|10.255.255.1:10000|grpc|",
            "1|1|tcp|plugin.example.com:10000|grpc|", "1|1|unix|/nonexistent/dir/plugin.sock|grpc|"})
    void aHandshakeAddressThatCannotBeDialledLeavesNoChild(String handshake) throws Exception {
        PackageRef ref = new TestPackages(dir).script("badaddr", "1.0", printsThenWaits(handshake));
        PluginStartException e = startFailure(manager(plaintextFake().startTimeout(Duration.ofSeconds(1)).build()), ref);
        assertTrue(e.getMessage().contains("address") || e.getMessage().contains("health check"), e.getMessage());
        noLiveProcessLeft();
    }

    @Test
    void aUnixSocketOutsideTheHostsDirectoryIsNotDeleted() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        PackageRef ref = new TestPackages(dir).script("deleter", "1.0",
                "echo '1|1|unix|" + victim + "|grpc|'\nexec sleep 60");
        PluginStartException e = startFailure(manager(plaintextFake().startTimeout(Duration.ofSeconds(1)).build()), ref);
        assertTrue(e.getMessage().contains("failed the health check"), e.getMessage());
        assertTrue(manager.client("p").pid().isEmpty());
        manager.stop();
        assertEquals("keep me", Files.readString(victim), "the host deleted a file the plugin named");
    }
}
