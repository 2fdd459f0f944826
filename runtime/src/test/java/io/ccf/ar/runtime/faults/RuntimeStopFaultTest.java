package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.Processes;
import io.nats.client.Connection;
import io.nats.client.Nats;

/**
 * Two runtimes sharing a schedule; one is killed (SIGKILL) mid-run, or stopped (SIGTERM) while a run longer than its
 * gracePeriod is going. The fire must run to the end on the other runtime, and the stopped runtime's plugins must go.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RuntimeStopFaultTest {
    private static final String NATS = "  ackWait: 2s\n  misfireDeadline: 30s\n  localFallbackAfter: 3s\n";

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private FaultRig rig;
    private Connection client;

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        rig = new FaultRig(dir, nats.url());
        client = Nats.connect(nats.url());
    }

    @AfterEach
    void tearDown() throws Exception {
        rig.close();
        client.close();
        nats.close();
    }

    @Test
    void oneOfTwoRuntimesKilledMidRun() throws Exception {
        String job = FaultRig.sampleJob("slow", "*/5 * * * * *", "sleep_ms: \"3000\"");
        CliProcess a = rig.runtime("rt-a", "  gracePeriod: 5s\n", NATS, job);
        CliProcess b = rig.runtime("rt-b", "  gracePeriod: 5s\n", NATS, job);
        Instant from = FaultRig.secondsFromNow(0); // the fire about to start is in the window
        CliProcess victim = awaitRunStartedOnEither(a, b);
        List<ProcessHandle> children = victim.process().descendants().toList();
        Instant killedAt = Instant.now();
        victim.process().destroyForcibly(); // SIGKILL mid-run
        victim.process().waitFor(30, TimeUnit.SECONDS);
        Instant to = FaultRig.secondsFromNow(12);
        long expected = 0; // fires on the 5-second marks in [from, to]
        for (long t = from.getEpochSecond(); t <= to.getEpochSecond(); t++) {
            expected += t % 5 == 0 ? 1 : 0;
        }
        long expectedFires = expected;
        StoredResults stored = FaultRig.awaitStored(client, FaultRig.TIMEOUT,
                s -> FaultRig.complete(s, "plugin/slow", from, to, expectedFires, 3));
        boolean childrenGone = FaultRig.eventually(Duration.ofSeconds(30),
                () -> children.stream().noneMatch(c -> Processes.isLive(c.pid())));
        TreeMap<Instant, StoredResults.Fire> fires = stored.fires("plugin/slow", from, to);
        long complete = fires.values().stream().filter(f -> f.subjectsAssessed() >= 3).count();
        long left = children.stream().filter(c -> Processes.isLive(c.pid())).count();
        FaultReport.scenario("runtime-killed-mid-run", "2 runtimes, job every 5 s with 3 s runs, the runtime running"
                        + " a fire SIGKILLed mid-run (ackWait 2 s)")
                .count("firesExpected", expected)
                .count("firesRun", fires.size())
                .count("firesLost", expected - complete)
                .count("firesRedelivered", rig.runtimes().stream().mapToLong(r -> FaultRig.logLines(r, "trigger redelivered")).sum())
                .count("resultsStored", fires.values().stream().mapToLong(f -> f.results().size()).sum())
                .count("resultsDuplicated", stored.duplicates())
                .count("processesLeft", left)
                .write(RuntimeStopFaultTest.class);
        rig.saveLogs("runtime-killed-mid-run");
        assertTrue(childrenGone, "the killed runtime's plugins are gone");
        assertEquals(expected, complete, "every fire in the window has its 3 results: " + fires.keySet()
                + " (killed at " + killedAt + ")");
        assertEquals(0, stored.duplicates());
    }

    @Test
    void oneOfTwoRuntimesStoppedWhileARunOutlastsItsGracePeriod() throws Exception {
        String job = FaultRig.sampleJob("long", "0/20 * * * * *", "sleep_ms: \"8000\"");
        CliProcess a = rig.runtime("rt-a", "  gracePeriod: 2s\n", NATS, job);
        CliProcess b = rig.runtime("rt-b", "  gracePeriod: 2s\n", NATS, job);
        CliProcess victim = awaitRunStartedOnEither(a, b);
        CliProcess other = victim == a ? b : a;
        List<ProcessHandle> children = victim.process().descendants().toList();
        victim.process().destroy(); // SIGTERM: the run cannot finish within gracePeriod
        int exit = victim.waitFor(Duration.ofSeconds(60));
        other.awaitLog("trigger redelivered", Duration.ofSeconds(30));
        Instant from = Instant.now().minusSeconds(30);
        Instant to = Instant.now().plusSeconds(5);
        StoredResults stored = FaultRig.awaitStored(client, FaultRig.TIMEOUT,
                s -> s.fires("plugin/long", from, to).values().stream().anyMatch(f -> f.withStatus("SUCCESS") >= 3));
        TreeMap<Instant, StoredResults.Fire> fires = stored.fires("plugin/long", from, to);
        StoredResults.Fire fire = fires.values().stream().filter(f -> f.withStatus("CANCELLED") > 0).findFirst()
                .orElseThrow(() -> new AssertionError("no CANCELLED placeholders stored: " + fires));
        long left = children.stream().filter(c -> Processes.isLive(c.pid())).count();
        FaultReport.scenario("runtime-stopped-during-long-run", "2 runtimes, the one running an 8 s run stopped with"
                        + " SIGTERM (gracePeriod 2 s): the run is cancelled, its trigger given back")
                .count("firesExpected", 1)
                .count("firesRunToTheEnd", fire.withStatus("SUCCESS") >= 3 ? 1 : 0)
                .count("cancelledPlaceholders", fire.withStatus("CANCELLED"))
                .count("resultsSucceeded", fire.withStatus("SUCCESS"))
                .count("resultsDuplicated", stored.duplicates())
                .count("exitCode", exit)
                .count("processesLeft", left)
                .write(RuntimeStopFaultTest.class);
        rig.saveLogs("runtime-stopped-during-long-run");
        assertEquals(0, exit, "a stop is a clean exit");
        assertEquals(3, fire.withStatus("SUCCESS"), "the fire ran to the end on the other runtime: " + fire.results());
        assertEquals(3, fire.withStatus("CANCELLED"), "the stopped runtime says which subjects it did not assess");
        assertEquals(0, left, "no plugin of the stopped runtime left");
        assertEquals(0, stored.duplicates());
    }

    /** Waits until one of the runtimes logs a run start; returns it. */
    private static CliProcess awaitRunStartedOnEither(CliProcess a, CliProcess b) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (a.pollLog("run started", Duration.ofMillis(100)).isPresent()) {
                return a;
            }
            if (b.pollLog("run started", Duration.ofMillis(100)).isPresent()) {
                return b;
            }
        }
        throw new AssertionError("no run started on either runtime");
    }
}
