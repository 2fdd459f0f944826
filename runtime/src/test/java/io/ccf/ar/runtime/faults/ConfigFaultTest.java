package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.registry.LockFile;
import io.ccf.ar.runtime.testing.BillionLaughs;
import io.ccf.ar.runtime.testing.CliProcess;

/** Config files, plan files and plugins.lock as a crash or a hostile writer may leave them, against {@code ar daemon}. */
class ConfigFaultTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private FaultDaemons env;

    @AfterEach
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anAliasBombInConfigYmlExits2WithFileLineAndLimit() throws Exception {
        env = new FaultDaemons(dir);
        Path config = env.config("rt", FaultDaemons.BUSY_PLUGIN + "    configuration:\n      lol: "
                + BillionLaughs.yamlSequence() + "\n");
        long bytes = Files.size(config);
        CliProcess ar = env.start("rt", "64m"); // 2^25 nodes would need gigabytes

        int exit = ar.waitFor(WAIT);
        String message = String.join("\n", ar.stderr());
        int line = Files.readAllLines(config).indexOf(Files.readAllLines(config).stream()
                .filter(l -> l.contains("lol:")).findFirst().orElseThrow()) + 1;
        boolean named = message.contains("config.yml:" + line + ":")
                && message.contains("document expands to more than 100,000 nodes");
        boolean outOfMemory = message.contains("OutOfMemoryError");
        FaultReport.scenario("alias-bomb-config-file", "config.yml with a billion-laughs value (48 aliases, 2^25 nodes"
                        + " expanded), ar daemon with -Xmx64m")
                .count("fileBytes", bytes).count("exitCode", exit).count("errorNamesFileLineAndLimit", named ? 1 : 0)
                .count("outOfMemory", outOfMemory ? 1 : 0)
                .write(ConfigFaultTest.class);
        assertEquals(2, exit, message);
        assertTrue(named, message);
        assertTrue(!outOfMemory, message);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void storedPlansThatCollideOrExplodeAreSkippedAtStartAndTheOthersRun() throws Exception {
        env = new FaultDaemons(dir).withNats();
        env.config("rt", FaultDaemons.BUSY_PLUGIN);
        Path plans = dir.resolve("rt/assessments");
        Files.writeString(plans.resolve("a-bomb.yaml"), "id: bomb\ntasks: " + BillionLaughs.yamlSequence() + "\n");
        Files.writeString(plans.resolve("b-collides.yaml"), """
                id: plugin
                tasks:
                  - id: busy
                    schedule: "* * * * * *"
                    activities: [{id: a1, provider: {name: busy, package: sample, version: 1.0.0}}]
                """);
        Files.writeString(plans.resolve("c-good.yaml"), """
                id: good
                tasks:
                  - id: t1
                    schedule: "* * * * * *"
                    activities: [{id: a1, provider: {name: busy, package: sample, version: 1.0.0}}]
                """);
        CliProcess ar = env.start("rt", "128m");

        String bomb = ar.awaitLog("plan file skipped", WAIT);
        String collides = ar.awaitLog("plan file skipped", WAIT);
        env.results.await(r -> r.path("jobId").asText().equals("good/t1"), WAIT, () -> "\n" + ar.stderr());
        env.results.await(r -> r.path("jobId").asText().equals("plugin/busy")
                && r.path("plugin").asText().equals("busy"), WAIT, () -> "\n" + ar.stderr());
        // every result since start came from the configured plugin or the good plan, never the colliding one
        long others = env.results.stream().filter(r -> !r.path("jobId").asText().equals("good/t1")
                && !r.path("jobId").asText().equals("plugin/busy")).count();

        boolean bombNamed = bomb.contains("a-bomb.yaml:2:") && bomb.contains("expands to more than 100,000 nodes");
        boolean collisionNamed = collides.contains("b-collides.yaml") && collides.contains("plugin/busy")
                && collides.contains("already used by plugin");
        FaultReport.scenario("stored-plans-collide-or-explode", "assessments/ holds a billion-laughs plan, a plan"
                        + " whose task is the configured job plugin/busy, and a good plan; ar daemon -Xmx128m starts")
                .count("planFiles", 3).count("planFilesSkipped", 2).count("skipReasonsNamed", (bombNamed ? 1 : 0)
                        + (collisionNamed ? 1 : 0)).count("jobsRunning", 2).count("resultsFromSkippedPlans", others)
                .count("daemonAlive", ar.isAlive() ? 1 : 0)
                .write(ConfigFaultTest.class);
        assertTrue(bombNamed, bomb);
        assertTrue(collisionNamed, collides);
        assertEquals(0, others);
        assertTrue(ar.isAlive());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aZeroLengthPluginsLockIsRebuiltAndPluginsStillRun() throws Exception {
        env = new FaultDaemons(dir).withNats();
        env.config("rt", FaultDaemons.BUSY_PLUGIN);
        Path lock = env.pluginsDir.resolve(LockFile.FILE_NAME);
        new LockFile(env.pluginsDir).put(new io.ccf.ar.runtime.plugin.PackageRef("sample", "1.0.0"),
                new LockFile.Entry("sample.jar", "00".repeat(32), "test", "2024-01-01T00:00:00Z"));
        Files.write(lock, new byte[0]); // what a power cut between rename and data write-back leaves
        CliProcess ar = env.start("rt", "128m");

        String warning = ar.awaitLog("plugins.lock was unreadable", WAIT);
        int results = 0;
        int succeeded = 0;
        while (results < 6) {
            JsonNode r = env.results.await(x -> x.path("jobId").asText().equals("plugin/busy"), WAIT, () -> "\n" + ar.stderr());
            results++;
            succeeded += r.path("status").asText().equals("SUCCESS") ? 1 : 0;
        }
        JsonNode rebuilt = new ObjectMapper().readTree(lock.toFile());
        String sha = rebuilt.path("sample").path("1.0.0").path("sha256").asText();
        List<Path> aside;
        try (var files = Files.list(env.pluginsDir)) {
            aside = files.filter(p -> p.getFileName().toString().startsWith(LockFile.FILE_NAME + ".corrupt-")).toList();
        }
        boolean shaMatches = sha.equals(io.ccf.ar.runtime.testing.TestRegistryServer.sha256Hex(
                Files.readAllBytes(env.pluginsDir.resolve("sample/1.0.0/sample.jar"))));
        FaultReport.scenario("truncated-plugins-lock", "plugins.lock is zero bytes at start (power cut); ar daemon"
                        + " with a plugin job every second")
                .count("lockRecovered", warning.contains("WARN") ? 1 : 0).count("lockEntryRehashed", shaMatches ? 1 : 0)
                .count("corruptFileKept", aside.size()).count("resultsExpected", 6).count("resultsSucceeded", succeeded)
                .count("pluginsRefused", ar.stderr().stream().filter(l -> l.contains("cannot read lock file")).count())
                .write(ConfigFaultTest.class);
        assertTrue(warning.contains("WARN"), warning);
        assertTrue(shaMatches, rebuilt.toString());
        assertEquals(1, aside.size());
        assertEquals(6, succeeded);
    }
}
