package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.PackageRef;
import io.ccf.ar.runtime.plugin.PluginClient;
import io.ccf.ar.runtime.plugin.PluginSpec;
import io.ccf.ar.runtime.plugin.PluginStartException;

/**
 * Plugins whose handshake cannot lead anywhere, started again and again: each attempt fails with a
 * clear error and leaves no process (the scripts also start a child of their own, which must go too).
 */
class PluginStartFaultTest {
    private static final int ATTEMPTS = 20;

    @TempDir
    Path dir;

    /** Prints {@code handshake}, then waits on a child whose command line names the plugin (so the process check sees it). */
    private static String script(String handshake) {
        return "echo '" + handshake + "'\nsh -c 'sleep 120; :' \"$0\"";
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void badHandshakeAddresses() throws Exception {
        String[] handshakes = {"1|1|tcp|nonsense|grpc|", "1|1|tcp|127.0.0.1:99999|grpc|", "1|1|tcp|192.0.2.1:10000|grpc|",
                "1|1|unix|/nonexistent/plugin.sock|grpc|"};
        long attempts = 0;
        long failures = 0;
        long maxLiveDuring = 0;
        try (PluginFaultFixture f = new PluginFaultFixture(dir, PluginFaultFixture.noBackoff()
                .startTimeout(Duration.ofMillis(500)).build(), 1)) {
            java.util.List<PluginSpec> specs = new java.util.ArrayList<>();
            for (int h = 0; h < handshakes.length; h++) {
                specs.add(new PluginSpec("p" + h, f.packages.script("bad" + h, "1.0", script(handshakes[h])), java.util.Map.of()));
            }
            f.plugins.start(specs); // the first attempt of each
            attempts += handshakes.length;
            failures += f.plugins.states().size();
            for (int i = 1; i < ATTEMPTS; i++) {
                for (int h = 0; h < handshakes.length; h++) {
                    PluginClient client = f.plugins.client("p" + h);
                    attempts++;
                    try {
                        client.start();
                    } catch (PluginStartException e) {
                        assertTrue(e.getMessage().contains("plugin bad" + h + "@1.0"), e.getMessage());
                        failures++;
                    }
                }
                maxLiveDuring = Math.max(maxLiveDuring, io.ccf.ar.runtime.testing.Processes
                        .liveWithCommandLineContaining(dir.toString()).size());
            }
            long left = f.processesLeft(Duration.ofSeconds(10));
            FaultReport.scenario("plugin-bad-handshake-address", "shell plugins with a child of their own hand over"
                            + " undialable addresses (bad TCP, port 99999, non-loopback, missing Unix socket); "
                            + ATTEMPTS + " start attempts each")
                    .count("startAttempts", attempts).count("startFailures", failures)
                    .count("liveProcessesBetweenAttempts", maxLiveDuring).count("processesLeft", left)
                    .write(PluginStartFaultTest.class);
            assertEquals((long) ATTEMPTS * handshakes.length, attempts);
            assertEquals(attempts, failures);
            assertEquals(0, left, "live: " + io.ccf.ar.runtime.testing.Processes.liveWithCommandLineContaining(dir.toString()));
            assertTrue(maxLiveDuring <= 2, "at most the children of one attempt in the middle of dying: " + maxLiveDuring);
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void aHandshakeNamingAFileOutsideTheHostsDirectoryLeavesItAlone() throws Exception {
        Path victim = Files.writeString(dir.resolve("precious.db"), "data");
        long attempts = 5;
        try (PluginFaultFixture f = new PluginFaultFixture(dir.resolve("plugins"), PluginFaultFixture.noBackoff()
                .startTimeout(Duration.ofMillis(500)).build(), 1)) {
            PackageRef ref = f.packages.script("deleter", "1.0", script("1|1|unix|" + victim + "|grpc|"));
            f.plugins.start(java.util.List.of(new PluginSpec("p", ref, java.util.Map.of())));
            for (int i = 1; i < attempts; i++) {
                try {
                    f.plugins.client("p").start();
                } catch (PluginStartException expected) {
                    // each attempt fails the health check
                }
            }
            f.close();
            long left = f.processesLeft(Duration.ofSeconds(10));
            boolean survived = Files.exists(victim);
            FaultReport.scenario("plugin-unix-socket-outside", "shell plugin names an existing file outside the host's"
                            + " socket directory as its Unix socket; " + attempts + " start attempts")
                    .count("startAttempts", attempts).count("filesDeleted", survived ? 0 : 1).count("processesLeft", left)
                    .write(PluginStartFaultTest.class);
            assertTrue(survived, "the host deleted " + victim);
            assertEquals(0, left);
        }
    }
}
