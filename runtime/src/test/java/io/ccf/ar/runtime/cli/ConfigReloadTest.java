package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.Processes;

/**
 * A running daemon re-reads config.yml and its plan files on SIGHUP, and when they change on disk: jobs and
 * plugins follow, a bad file changes nothing and says where it is wrong, settings that need a restart are
 * named. Real daemon processes, real plugin children, real signals.
 */
class ConfigReloadTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CONFIG = """
            runtimeId: reload-test
            execution:
              gracePeriod: %s
            plugins:
              - name: busy
                package: sample
                version: 1.0.0
                schedule: "* * * * * *"
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() throws Exception {
        TestPackages packages = new TestPackages(dir.resolve("plugins"));
        packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        packages.jar("sample", "2.0.0", TestPackages.sampleJar());
        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("config.yml"), CONFIG.formatted("5s"));
    }

    private static String plan(String id, String version) {
        return """
                id: %s
                title: Reload test plan
                tasks:
                  - id: t1
                    title: Every second
                    schedule: "* * * * * *"
                    activities:
                      - id: a1
                        title: Busy
                        provider:
                          name: busy
                          package: sample
                          version: %s
                """.formatted(id, version);
    }

    private List<Long> pluginsOf(String version) {
        return Processes.liveWithCommandLineContaining(dir.resolve("plugins/sample/" + version).toString());
    }

    private static void sighup(CliProcess ar) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ar.process().pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -HUP");
    }

    @Test
    void sighupAppliesNewChangedAndRemovedJobsAndRefusesABadConfig() throws Exception {
        // "./config.yml": paths derived from a path with a "." must still compare equal on reload
        try (CliProcess ar = CliProcess.start(dir, "--config", "./config.yml", "--no-watch")) {
            ar.awaitLog("runtime state changed", TIMEOUT); // STARTING
            ar.awaitLog("RUNNING", TIMEOUT);
            assertTrue(pluginsOf("2.0.0").isEmpty());

            // a plan file added: its job is scheduled and its package version started, without a restart
            Files.writeString(dir.resolve("assessments/p1.yaml"), plan("p1", "2.0.0"));
            sighup(ar);
            assertTrue(ar.awaitLog("reloaded", TIMEOUT).contains("jobs and plugins updated"));
            ar.awaitLog("job=\"p1/t1\"", TIMEOUT);
            ar.awaitLog("job=\"p1/t1\"", TIMEOUT); // its runs: "run started"/"run finished" name the job too
            assertFalse(pluginsOf("2.0.0").isEmpty(), "sample 2.0.0 started for the new plan");

            // a config.yml with a mistake: nothing changes, the log says file and line
            Files.writeString(dir.resolve("config.yml"), CONFIG.formatted("5s") + "  - nmae: oops\n");
            sighup(ar);
            String refused = ar.awaitLog("reload refused", TIMEOUT);
            assertTrue(refused.contains("config.yml:9"), refused);
            ar.awaitLog("job=\"p1/t1\"", TIMEOUT); // still running
            assertTrue(ar.isAlive());

            // the plan removed and a setting that needs a restart changed: the job and its plugin go, the setting is named
            Files.delete(dir.resolve("assessments/p1.yaml"));
            Files.writeString(dir.resolve("config.yml"), CONFIG.formatted("7s"));
            sighup(ar);
            String restart = ar.awaitLog("only take effect after a restart", TIMEOUT);
            assertTrue(restart.contains("execution"), restart);
            assertTrue(ar.awaitLog("reloaded", TIMEOUT).contains("jobs and plugins updated"));
            assertTrue(Processes.eventually(TIMEOUT, () -> pluginsOf("2.0.0").isEmpty()),
                    "the 2.0.0 plugin stops once no job uses it");
            assertFalse(pluginsOf("1.0.0").isEmpty(), "config.yml's plugin keeps running");

            // config.yml back to what runs: nothing changed, said so, and no setting reported as needing a restart
            Files.writeString(dir.resolve("config.yml"), CONFIG.formatted("5s"));
            sighup(ar);
            String line;
            do {
                line = ar.pollLog("", TIMEOUT).orElseThrow(() -> new AssertionError("no reload after SIGHUP"));
                assertFalse(line.contains("only take effect after a restart"), "nothing changed: " + line);
            } while (!line.contains("reloaded"));
            assertTrue(line.contains("no job changed"), line);
        }
    }

    @Test
    void planFilesChangedOnDiskAreAppliedWithoutASignal() throws Exception {
        try (CliProcess ar = CliProcess.start(dir, "--config", "config.yml")) {
            ar.awaitLog("RUNNING", TIMEOUT);
            ar.awaitLog("watching config.yml and the plan files", TIMEOUT);

            Files.writeString(dir.resolve("assessments/p2.yaml"), plan("p2", "1.0.0"));
            assertTrue(ar.awaitLog("reloaded", TIMEOUT).contains("jobs and plugins updated"));
            ar.awaitLog("job=\"p2/t1\"", TIMEOUT);

            // a broken plan file: refused with file and line, p2 keeps running
            Files.writeString(dir.resolve("assessments/p3.yaml"), "id: p3\ntitle: Broken\ntasks:\n  - id: t1\n    schedul: x\n");
            String refused = ar.awaitLog("reload refused", TIMEOUT);
            assertTrue(refused.contains("p3.yaml:4:5: tasks[0].schedule"), refused);
            ar.awaitLog("job=\"p2/t1\"", TIMEOUT);

            // both files gone: p2's job goes too
            Files.delete(dir.resolve("assessments/p3.yaml"));
            Files.delete(dir.resolve("assessments/p2.yaml"));
            String reloaded;
            do {
                reloaded = ar.awaitLog("reloaded", TIMEOUT); // one or two reloads, by how the deletions fall
            } while (!reloaded.contains("jobs=\"1\""));
            assertTrue(ar.isAlive());
        }
    }
}
