package io.ccf.ar.runtime.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.proto.Subject;
import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.messaging.JetStreamResultSink;
import io.ccf.ar.runtime.messaging.NatsConnections;
import io.ccf.ar.runtime.messaging.NatsLink;
import io.ccf.ar.runtime.messaging.ResultSpool;
import io.ccf.ar.runtime.messaging.StreamSetup;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

/**
 * Faults on the path of results (JetStream refusing some, the spool's disk full, a damaged spool, publishers
 * interrupted), each against a real nats-server and counted in a {@link FaultReport}.
 */
class ResultPathFaultTest {
    private static final String STREAM = "AR_RESULTS_FAULT";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            new ProcessBuilder("umount", mounted.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private NatsSettings settings(Path spoolDir) {
        return new NatsSettings(STREAM, "AR_SCHEDULE_FAULT", 1, Duration.ofMinutes(2), Duration.ofSeconds(30), 5,
                Duration.ofMinutes(1), spoolDir, Duration.ofSeconds(10), NatsSettings.DEFAULT_SPOOL_MAX_BYTES);
    }

    private static NatsLink link(NatsServerFixture nats) {
        return NatsConnections.connect(nats.url(), "rt-fault", Duration.ofSeconds(5), Duration.ofMillis(250));
    }

    private static AssessmentResult result(String runId, int n, int errorChars) {
        Instant start = Instant.parse("2024-05-01T10:00:00Z").plusMillis(n);
        return new AssessmentResult(runId, "rt-fault", "plan-1/task-1", "plan-1", "ap-1", "comp", "ctl", "task-1", "act-1",
                "busy", "busy", "1.0.0", AssessmentResult.Status.SUCCESS, "x".repeat(errorChars),
                Subject.newBuilder().setId("subject-" + n).setTitle("Subject " + n).build(),
                List.of(), List.of(), List.of(), List.of(), start, start.plusMillis(5), null);
    }

    /** The Nats-Msg-Id of every message in the stream, in stream order. */
    private static List<String> storedIds(Connection connection) throws Exception {
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info = jsm.getStreamInfo(STREAM);
        List<String> out = new ArrayList<>();
        if (info.getStreamState().getMsgCount() == 0) {
            return out;
        }
        for (long seq = info.getStreamState().getFirstSequence(); seq <= info.getStreamState().getLastSequence(); seq++) {
            try {
                MessageInfo m = jsm.getMessage(STREAM, seq);
                out.add(m.getHeaders() == null ? "<no msg id>" : m.getHeaders().getFirst("Nats-Msg-Id"));
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != 10037) { // deleted
                    throw e;
                }
            }
        }
        return out;
    }

    private static long duplicates(List<String> ids) {
        return ids.size() - new HashSet<>(ids).size();
    }

    private static List<String> deadLetterIds(Path file) throws Exception {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(file)) {
            out.add(json.readTree(line).get("resultId").asText());
        }
        return out;
    }

    @Test
    @Timeout(180)
    void aPermanentRejectionInTheMiddleDoesNotBlockTheResultsBehindIt() throws Exception {
        int total = 1000;
        NatsSettings settings = settings(dir.resolve("spool"));
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = link(nats)) {
            Connection connection = link.connection().orElseThrow();
            // an operator's 4 KiB message limit; the runtime's start keeps it
            connection.jetStreamManagement().addStream(StreamConfiguration.builder(StreamSetup.resultsStreamConfig(settings))
                    .maximumMessageSize(4096).build());
            StreamSetup.ensureResultsStream(connection, settings);
            AtomicInteger notices = new AtomicInteger();
            Dispatcher d = connection.createDispatcher(m -> notices.incrementAndGet());
            d.subscribe(JetStreamResultSink.DEAD_SUBJECT);

            List<String> expectedStored = new ArrayList<>();
            List<String> expectedDead = new ArrayList<>();
            JetStreamResultSink sink = JetStreamResultSink.open(link, settings);
            try {
                for (int i = 0; i < total; i++) {
                    if (i == total / 2) {
                        sink.awaitDurable("run-big"); // the first half acked or dead-lettered (with its notice)
                        connection.flush(Duration.ofSeconds(5)); // notices are best effort: let the ones so far out
                        nats.stop(); // the second half goes through the spool and the drainer
                    }
                    AssessmentResult r = result("run-big", i, i % 100 == 99 ? 6000 : 0);
                    (i % 100 == 99 ? expectedDead : expectedStored).add(r.resultId());
                    sink.publish(r);
                }
                assertTrue(sink.pending() > 0, "the second half waits in the spool");
                nats.startProcess();
                assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
                List<String> stored = storedIds(link.awaitConnection(WAIT).orElseThrow());
                List<String> dead = deadLetterIds(sink.spool().deadLetterFile());
                connection.flush(Duration.ofSeconds(5)); // the notices went out before this round trip

                long lost = total - stored.size() - dead.size();
                FaultReport.scenario("result-permanent-rejection", "AR_RESULTS with max_msg_size 4 KiB, 1,000 results of "
                                + "which every 100th is 6 KB; NATS stopped half-way (the rest through the spool)")
                        .count("resultsExpected", total).count("resultsStored", stored.size())
                        .count("deadLettered", sink.deadLettered()).count("deadLetterNotices", notices.get())
                        .count("resultsDuplicated", duplicates(stored)).count("resultsLost", lost)
                        .write(ResultPathFaultTest.class);

                assertEquals(expectedStored, stored, "every other result stored once, in order: nothing blocked");
                assertEquals(expectedDead, dead, "the large ones in the dead-letter file");
                assertEquals(10, sink.deadLettered());
                assertEquals(10, notices.get());
                assertEquals(0, lost);
                assertEquals(0, sink.lost());
            } finally {
                sink.close();
            }
        }
    }

    @Test
    @Timeout(180)
    void aFullSpoolDiskLosesOnlyWhatItReportsAndDeliversTheRestOnce() throws Exception {
        Path spoolDir = Files.createDirectories(dir.resolve("tmpfs"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", spoolDir.toString())
                .redirectErrorStream(true).start();
        String out = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(mount.waitFor() == 0, "cannot mount a 2 MiB tmpfs for the full-disk scenario (needs root / CAP_SYS_ADMIN): " + out);
        mounted = spoolDir;

        NatsSettings settings = settings(spoolDir);
        int total = 3000; // ~1.2 KB each: more than 2 MiB
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = link(nats)) {
            StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
            nats.stop();
            List<String> expected = new ArrayList<>();
            try (JetStreamResultSink sink = JetStreamResultSink.open(link, settings)) {
                for (int i = 0; i < total; i++) {
                    AssessmentResult r = result("run-full", i, 700);
                    expected.add(r.resultId());
                    sink.publish(r);
                }
                long spooled = sink.spooled();
                long notSpooled = sink.notSpooled();
                assertEquals(total, spooled + notSpooled, "each result either spooled or reported");
                assertTrue(notSpooled > 0, "the disk filled up");
                assertEquals(spooled, sink.pending(), "what is claimed spooled is in the spool");

                nats.startProcess(); // the drain frees the disk
                assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
                List<String> after = new ArrayList<>();
                nats.stop(); // and the freed disk takes results again
                for (int i = total; i < total + 100; i++) {
                    AssessmentResult r = result("run-full", i, 700);
                    after.add(r.resultId());
                    sink.publish(r);
                }
                assertEquals(spooled + 100, sink.spooled());
                nats.startProcess();
                assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());

                List<String> stored = storedIds(link.awaitConnection(WAIT).orElseThrow());
                Set<String> missing = new LinkedHashSet<>(expected);
                missing.addAll(after);
                missing.removeAll(stored);
                FaultReport.scenario("result-spool-disk-full", "NATS stopped, spool on a 2 MiB tmpfs, 3,000 results of "
                                + "1.2 KB, then NATS back, then 100 more with the disk freed")
                        .count("resultsExpected", total + 100L).count("resultsSpooled", sink.spooled())
                        .count("resultsStored", stored.size()).count("resultsLost", missing.size())
                        .count("notSpooled", sink.notSpooled()).count("resultsDuplicated", duplicates(stored))
                        .write(ResultPathFaultTest.class);

                assertEquals(sink.spooled(), stored.size(), "everything spooled arrives");
                assertEquals(0, duplicates(stored), "once");
                assertEquals(sink.notSpooled(), missing.size(), "what is missing is exactly what was reported");
                assertEquals(sink.notSpooled(), sink.lost());
                assertTrue(stored.containsAll(after));
            }
        }
    }

    @Test
    @Timeout(180)
    void aDamagedSpoolLosesOnlyTheDamagedRecords() throws Exception {
        int total = 100;
        NatsSettings settings = settings(dir.resolve("spool"));
        List<String> expected = new ArrayList<>();
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"))) {
            try (NatsLink link = link(nats)) {
                StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
                nats.stop();
                // small segments, so the damage is in two files: a bad CRC in the middle of one, the last record cut in half
                try (JetStreamResultSink sink = new JetStreamResultSink(link, settings,
                        ResultSpool.open(settings.spoolDir(), 1 << 20, 16 << 10), JetStreamResultSink.DEFAULT_ACK_TIMEOUT)) {
                    for (int i = 0; i < total; i++) {
                        AssessmentResult r = result("run-dmg", i, 0);
                        expected.add(r.resultId());
                        sink.publish(r);
                    }
                    assertEquals(total, sink.pending());
                }
            }
            List<Path> segments;
            try (Stream<Path> files = Files.list(settings.spoolDir())) {
                segments = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
            }
            assertTrue(segments.size() >= 2, "several segments: " + segments);
            List<long[]> first = records(segments.get(0));
            long[] middle = first.get(first.size() / 2);
            flipByte(segments.get(0), middle[0] + 8 + 20); // inside the payload: the CRC no longer matches
            Path last = segments.get(segments.size() - 1);
            List<long[]> lastRecords = records(last);
            long[] tail = lastRecords.get(lastRecords.size() - 1);
            try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
                f.setLength(tail[0] + tail[1] / 2); // a crash in the middle of writing the last result
            }
            Set<String> damaged = Set.of(expected.get(first.size() / 2), expected.get(total - 1));

            nats.startProcess();
            try (NatsLink link = link(nats);
                 JetStreamResultSink sink = new JetStreamResultSink(link, settings,
                         ResultSpool.open(settings.spoolDir(), 1 << 20, 16 << 10), JetStreamResultSink.DEFAULT_ACK_TIMEOUT)) {
                assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
                List<String> stored = storedIds(link.connection().orElseThrow());
                List<String> intact = new ArrayList<>(expected);
                intact.removeAll(damaged);
                List<String> deadLines = Files.readAllLines(sink.spool().deadLetterFile());
                long lost = total - stored.size() - sink.spool().damaged();
                FaultReport.scenario("result-spool-damaged", "100 spooled results in 16 KiB segments; a bad CRC in the "
                                + "middle of the first, the last record cut in half; runtime restarted with NATS back")
                        .count("resultsExpected", total).count("resultsStored", stored.size())
                        .count("damagedRecords", sink.spool().damaged()).count("deadLettered", deadLines.size())
                        .count("resultsDuplicated", duplicates(stored)).count("resultsLost", lost)
                        .write(ResultPathFaultTest.class);

                assertEquals(intact, stored, "every intact record once, in order");
                assertEquals(2, sink.spool().damaged());
                assertEquals(2, deadLines.size(), "the damaged bytes are kept");
                assertEquals(0, lost);
            }
        }
    }

    /** Offset and length of each record of a segment. */
    private static List<long[]> records(Path segment) throws Exception {
        byte[] bytes = Files.readAllBytes(segment);
        List<long[]> out = new ArrayList<>();
        int pos = 8;
        while (pos + 8 <= bytes.length) {
            int body = ByteBuffer.wrap(bytes, pos, 4).getInt();
            out.add(new long[] {pos, 8 + body});
            pos += 8 + body;
        }
        return out;
    }

    private static void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x55);
        }
    }

    @Test
    @Timeout(180)
    void interruptedPublishersStillSpoolAndTheSpoolKeepsWorking() throws Exception {
        int threads = 8;
        int each = 50;
        int later = 50;
        NatsSettings settings = settings(dir.resolve("spool"));
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = link(nats)) {
            StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
            try (JetStreamResultSink sink = JetStreamResultSink.open(link, settings)) {
                // an interrupted caller, NATS up: published, and the flag is still set afterwards
                Thread.currentThread().interrupt();
                sink.publish(result("run-int", 100_000, 0));
                assertTrue(Thread.interrupted(), "the caller's interrupt is restored");
                sink.awaitDurable("run-int"); // acked before NATS goes

                nats.stop();
                Set<String> expected = Collections.synchronizedSet(new LinkedHashSet<>());
                expected.add(result("run-int", 100_000, 0).resultId());
                List<Thread> publishers = new ArrayList<>();
                AtomicInteger interruptedWhilePublishing = new AtomicInteger();
                CountDownLatch done = new CountDownLatch(threads);
                for (int t = 0; t < threads; t++) {
                    int base = t * 1000;
                    publishers.add(new Thread(() -> {
                        try {
                            for (int i = 0; i < each; i++) {
                                AssessmentResult r = result("run-int", base + i, 200);
                                expected.add(r.resultId());
                                sink.publish(r);
                                if (Thread.interrupted()) {
                                    interruptedWhilePublishing.incrementAndGet();
                                }
                            }
                        } finally {
                            done.countDown();
                        }
                    }, "publisher-" + t));
                }
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger interrupts = new AtomicInteger();
                Thread interrupter = new Thread(() -> {
                    while (!stop.get()) {
                        for (Thread p : publishers) {
                            p.interrupt(); // as Future.cancel(true) does to a run at its deadline
                            interrupts.incrementAndGet();
                        }
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // pacing, not waiting for anything
                    }
                }, "interrupter");
                publishers.forEach(Thread::start);
                interrupter.start();
                assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "publishers finished");
                stop.set(true);
                interrupter.join();

                // later results, from a thread nobody interrupts, still spool
                for (int i = 0; i < later; i++) {
                    AssessmentResult r = result("run-int", 50_000 + i, 200);
                    expected.add(r.resultId());
                    sink.publish(r);
                }
                int total = threads * each + later;
                sink.awaitDurable("run-int"); // those sent before the client saw NATS go are spooled once their ack fails
                assertEquals(total, sink.spooled(), "every result spooled; lost " + sink.lost());
                assertEquals(total, sink.pending());

                nats.startProcess();
                assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
                List<String> stored = storedIds(link.awaitConnection(WAIT).orElseThrow());
                Set<String> missing = new LinkedHashSet<>(expected);
                missing.removeAll(stored);
                FaultReport.scenario("result-interrupted-publishers", "NATS stopped; 8 threads publish 50 results each "
                                + "while being interrupted every 200 µs, then 50 more from a quiet thread; NATS back")
                        .count("resultsExpected", total + 1L).count("resultsSpooled", sink.spooled())
                        .count("resultsStored", stored.size()).count("resultsDuplicated", duplicates(stored))
                        .count("resultsLost", missing.size()).count("interruptsSent", interrupts.get())
                        .count("publishesInterrupted", interruptedWhilePublishing.get())
                        .write(ResultPathFaultTest.class);

                assertTrue(interruptedWhilePublishing.get() > 0, "publishers were interrupted while publishing");
                assertEquals(total + 1, stored.size());
                assertEquals(0, duplicates(stored));
                assertEquals(Set.of(), missing);
                assertEquals(0, sink.lost());
                assertFalse(Files.exists(sink.spool().deadLetterFile()));
            }
        }
    }
}
