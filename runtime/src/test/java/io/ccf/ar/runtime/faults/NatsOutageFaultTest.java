package io.ccf.ar.runtime.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * NATS stopped for 20 s under running runtimes (real nats-server, runtimes as processes, the sample plugin): every fire
 * in the window runs at least once and every result lands in AR_RESULTS once by id. Counts go to docs/reliability.md.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NatsOutageFaultTest {
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final String EXECUTION = "  gracePeriod: 5s\n";
    private static final String NATS = "  ackWait: 5s\n  misfireDeadline: 30s\n  localFallbackAfter: 2s\n";

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private FaultRig rig;
    private Connection client;
    private ResultQueue published;

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        rig = new FaultRig(dir, nats.url());
        client = Nats.connect(new Options.Builder().server(nats.url()).maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(200)).build());
        published = ResultQueue.subscribe(client); // every copy published, also those the stream deduplicates
    }

    @AfterEach
    void tearDown() throws Exception {
        rig.close();
        client.close();
        nats.close();
    }

    @Test
    void oneRuntimeEverySecondJob() throws Exception {
        everySecondJobThroughAnOutage("nats-outage-one-runtime", 1);
    }

    @Test
    void twoRuntimesEverySecondJob() throws Exception {
        everySecondJobThroughAnOutage("nats-outage-two-runtimes", 2);
    }

    private void everySecondJobThroughAnOutage(String scenario, int runtimes) throws Exception {
        String job = FaultRig.sampleJob("tick", "* * * * * *");
        for (int i = 0; i < runtimes; i++) {
            rig.runtime("rt-" + (char) ('a' + i), EXECUTION, NATS, job);
        }
        Instant from = FaultRig.secondsFromNow(2);
        published.await(r -> scheduledAt(r).isAfter(from.plusSeconds(3)), FaultRig.TIMEOUT, () -> "");
        nats.stop();
        Thread.sleep(OUTAGE.toMillis()); // the fault: NATS away for this long
        nats.startProcess();
        Instant to = FaultRig.secondsFromNow(6);
        long expectedFires = FaultRig.everySecondFires(from, to);

        StoredResults stored = FaultRig.awaitStored(client, FaultRig.TIMEOUT,
                s -> FaultRig.complete(s, "plugin/tick", from, to, expectedFires, 3));
        report(scenario, "NATS stopped " + OUTAGE.toSeconds() + " s, " + runtimes + " runtime(s), every-second job"
                + " (3 subjects)", "plugin/tick", stored, from, to, expectedFires);
    }

    @Test
    void oneRuntimeRunLongerThanTheOutage() throws Exception {
        runLongerThanTheOutage("nats-outage-long-run-one-runtime", 1);
    }

    @Test
    void twoRuntimesRunLongerThanTheOutage() throws Exception {
        runLongerThanTheOutage("nats-outage-long-run-two-runtimes", 2);
    }

    /** NATS stops 2 s into a 25 s run and comes back 20 s later, before the run ends; then the next fire. */
    private void runLongerThanTheOutage(String scenario, int runtimes) throws Exception {
        String job = FaultRig.sampleJob("long", "0/30 * * * * *", "sleep_ms: \"25000\"");
        List<CliProcess> started = new ArrayList<>();
        for (int i = 0; i < runtimes; i++) {
            started.add(rig.runtime("rt-" + (char) ('a' + i), EXECUTION, NATS, job));
        }
        Instant from = FaultRig.secondsFromNow(0);
        awaitRunStartedOnAny(started);
        Thread.sleep(2_000); // the fault starts 2 s into the run
        nats.stop();
        Thread.sleep(OUTAGE.toMillis()); // the fault: NATS away for most of the run
        nats.startProcess();
        Instant to = from.plusSeconds(59); // the run in flight and the next fire after the outage
        StoredResults stored = FaultRig.awaitStored(client, Duration.ofSeconds(120),
                s -> FaultRig.complete(s, "plugin/long", from, to, 2, 3));
        report(scenario, "NATS stopped " + OUTAGE.toSeconds() + " s from 2 s into a 25 s run, " + runtimes
                + " runtime(s), job every 30 s", "plugin/long", stored, from, to, 2);
    }

    private static void awaitRunStartedOnAny(List<CliProcess> runtimes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (CliProcess ar : runtimes) {
                if (ar.pollLog("run started", Duration.ofMillis(100)).isPresent()) {
                    return;
                }
            }
        }
        throw new AssertionError("no run started");
    }

    /** Counts the window (runs per fire from every copy published: the stream keeps one per result id). */
    private void report(String scenario, String description, String jobId, StoredResults stored, Instant from,
                        Instant to, long expectedFires) throws Exception {
        Map<Instant, Set<String>> runsPerFire = new HashMap<>();
        JsonNode r;
        while ((r = published.poll(0, TimeUnit.MILLISECONDS)) != null) {
            if (r.path("jobId").asText().equals(jobId) && r.has("scheduledAt")) {
                runsPerFire.computeIfAbsent(scheduledAt(r), t -> new HashSet<>()).add(r.path("runId").asText());
            }
        }
        long runTwice = runsPerFire.entrySet().stream()
                .filter(e -> !e.getKey().isBefore(from) && !e.getKey().isAfter(to) && e.getValue().size() > 1).count();
        rig.reportAndAssertWindow(scenario, description, NatsOutageFaultTest.class, stored, jobId, from, to,
                expectedFires, 3, "firesRunTwice", runTwice);
    }

    private static Instant scheduledAt(JsonNode r) {
        return r.has("scheduledAt") ? Instant.parse(r.path("scheduledAt").asText()) : Instant.EPOCH;
    }
}
