package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.GoInterop;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.Processes;

/** The daemon as a real process: runs on schedule, stops cleanly, and never leaves a plugin behind. */
class DaemonProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        TestPackages packages = new TestPackages(dir.resolve("plugins"));
        packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        packages.executable("goplugin", "0.1.0", GoInterop.goPlugin());
        Files.writeString(dir.resolve("config.yml"), """
                runtimeId: daemon-test
                execution:
                  gracePeriod: 10s
                plugins:
                  - name: busy
                    package: sample
                    version: 1.0.0
                    schedule: "* * * * * *"
                  - name: go
                    package: goplugin
                    version: 0.1.0
                    schedule: "* * * * * *"
                """);
    }

    /** Plugin processes started from this test's plugins directory that are still alive. */
    private java.util.List<Long> livePlugins() {
        return Processes.liveWithCommandLineContaining(dir.resolve("plugins").toString());
    }

    @Test
    void runsOnScheduleAndStopsCleanlyOnSigterm() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "--config", "config.yml")) {
            ar.awaitLog("run finished", TIMEOUT);
            assertEquals(2, livePlugins().size(), "one child per package version: " + livePlugins());
            // SIGTERM through the handle: Process.destroy() would also close our end of its pipes
            ar.process().toHandle().destroy();
            int code = ar.waitFor(TIMEOUT);
            String log = String.join("\n", ar.stderr());
            assertEquals(0, code, log);
            assertTrue(log.contains("runtime stopped"), log);
            assertTrue(log.contains("outcome=\"SUCCEEDED\""), log);
            assertEquals(java.util.List.of(), livePlugins(), "no plugin outlives a clean stop");
        }
    }

    @Test
    void sigkillOfTheDaemonLeavesNoPluginBehind() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "--config", "config.yml")) {
            ar.awaitLog("run finished", TIMEOUT);
            assertFalse(livePlugins().isEmpty());
            ar.process().toHandle().destroyForcibly(); // SIGKILL: no chance to clean up
            ar.waitFor(TIMEOUT);
            assertTrue(Processes.eventually(Duration.ofSeconds(10), () -> livePlugins().isEmpty()),
                    "plugins still alive after the daemon was killed: " + livePlugins());
        }
    }
}
