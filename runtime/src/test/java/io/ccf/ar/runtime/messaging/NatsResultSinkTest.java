package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.STREAM;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.awaitTrue;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.id;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.ids;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.result;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.streamCount;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.streamMsgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;

/** {@link JetStreamResultSink} against one real nats-server. */
class NatsResultSinkTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private NatsSettings settings;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() {
        nats = NatsServerFixture.start(dir.resolve("nats"));
        settings = ResultTestSupport.settings(dir, 1);
    }

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
        nats.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private NatsLink link() {
        return closeLater(NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT));
    }

    private JetStreamResultSink sink(NatsLink link) {
        return closeLater(new JetStreamResultSink(link, settings, ResultSpool.open(settings.spoolDir()),
                JetStreamResultSink.DEFAULT_ACK_TIMEOUT));
    }

    @Test
    void resultsLandInTheStreamWithTheirMsgIdsAndCoreSubscribersGetEachOnce() throws Exception {
        NatsLink link = link();
        Connection connection = link.connection().orElseThrow();
        assertEquals(StreamSetup.Outcome.CREATED, StreamSetup.ensureResultsStream(connection, settings));
        int n = 100;
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(n);
        Connection plain = closeLater(Nats.connect(nats.url()));
        Dispatcher d = plain.createDispatcher(m -> {
            received.add(new String(m.getData(), StandardCharsets.UTF_8));
            all.countDown();
        });
        d.subscribe(StreamSetup.RESULTS_SUBJECT);
        plain.flush(Duration.ofSeconds(5));

        JetStreamResultSink sink = sink(link);
        for (int i = 0; i < n; i++) {
            sink.publish(result("run-a", i));
        }
        sink.awaitDurable("run-a"); // what a run does before its trigger is acked
        assertEquals(n, sink.publishedDirect());
        assertEquals(0, sink.spooled());
        assertTrue(all.await(WAIT.toSeconds(), TimeUnit.SECONDS), "core subscriber got " + received.size());
        assertEquals(ids("run-a", 0, n), streamMsgIds(connection, STREAM));

        // anything extra would have arrived by now: a round trip through the server after the last publish
        plain.flush(Duration.ofSeconds(5));
        connection.flush(Duration.ofSeconds(5));
        plain.flush(Duration.ofSeconds(5));
        assertEquals(n, received.size());
        ObjectMapper json = new ObjectMapper();
        List<String> subjects = new ArrayList<>();
        for (String r : received) {
            JsonNode node = json.readTree(r);
            assertEquals("run-a", node.get("runId").asText());
            assertEquals("SUCCESS", node.get("status").asText());
            subjects.add(node.get("subjects").get("Id").asText());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add("subject-" + i);
        }
        assertEquals(expected, subjects, "each once, in order");
    }

    @Test
    void theSameResultTwiceIsStoredOnce() throws Exception {
        NatsLink link = link();
        Connection connection = link.connection().orElseThrow();
        StreamSetup.ensureResultsStream(connection, settings);
        JetStreamResultSink sink = sink(link);
        sink.publish(result("run-b", 1));
        sink.publish(result("run-b", 1));
        sink.publish(result("run-b", 2));
        sink.awaitDurable("run-b");
        assertEquals(List.of(id("run-b", 1), id("run-b", 2)), streamMsgIds(connection, STREAM));
        assertEquals(3, sink.publishedDirect());
    }

    @Test
    void startsWithoutNatsSpoolsAndDeliversWhenNatsComesAndCreatesTheStream() throws Exception {
        nats.stop();
        NatsLink link = closeLater(NatsConnections.connectInBackground(nats.url(), "rt-test", Duration.ofSeconds(1),
                ResultTestSupport.RECONNECT_WAIT));
        assertTrue(link.connection().isEmpty());
        JetStreamResultSink sink = sink(link);
        for (int i = 0; i < 10; i++) {
            sink.publish(result("run-c", i));
        }
        assertEquals(10, sink.pending());
        assertEquals(10, sink.spooled());
        nats.startProcess();
        assertTrue(link.awaitConnection(WAIT).isPresent());
        assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
        sink.publish(result("run-c", 10));
        sink.awaitDurable("run-c");
        assertEquals(1, sink.publishedDirect());
        assertEquals(ids("run-c", 0, 11), streamMsgIds(link.connection().orElseThrow(), STREAM));
    }

    @Test
    void theSpoolSurvivesARestartOfTheSink() throws Exception {
        NatsLink link = link();
        StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
        JetStreamResultSink sink = sink(link);
        sink.publish(result("run-d", 0));
        sink.awaitDurable("run-d"); // acked before NATS goes
        nats.stop();
        for (int i = 1; i < 50; i++) {
            sink.publish(result("run-d", i));
        }
        sink.close();
        link.close();
        try (ResultSpool spool = ResultSpool.open(settings.spoolDir())) {
            assertEquals(49, spool.count(), "on disk after close");
        }

        nats.startProcess();
        NatsLink again = link();
        JetStreamResultSink restarted = sink(again);
        assertTrue(restarted.awaitDrained(WAIT), "drained; pending " + restarted.pending());
        assertEquals(49, restarted.publishedFromSpool());
        assertEquals(ids("run-d", 0, 50), streamMsgIds(again.connection().orElseThrow(), STREAM));
    }

    @Test
    void aTruncatedSpoolTailIsSkippedAndTheRestDelivered() throws Exception {
        NatsLink link = link();
        StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
        nats.stop();
        JetStreamResultSink sink = sink(link);
        for (int i = 0; i < 10; i++) {
            sink.publish(result("run-e", i));
        }
        sink.close();
        link.close();
        Path segment;
        try (Stream<Path> files = Files.list(settings.spoolDir())) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 7); // a crash in the middle of writing the last result
        }

        nats.startProcess();
        NatsLink again = link();
        JetStreamResultSink restarted = sink(again);
        assertTrue(restarted.awaitDrained(WAIT), "drained; pending " + restarted.pending());
        assertEquals(ids("run-e", 0, 9), streamMsgIds(again.connection().orElseThrow(), STREAM));
    }

    @Test
    void aResultLargerThanMaxPayloadIsDeadLetteredNotStuck() throws Exception {
        NatsLink link = link();
        Connection connection = link.connection().orElseThrow();
        StreamSetup.ensureResultsStream(connection, settings);
        JetStreamResultSink sink = sink(link);
        var big = result("run-f", 0);
        big = new io.ccf.ar.runtime.run.AssessmentResult(big.runId(), big.runtimeId(), big.jobId(), big.planId(),
                big.assessmentId(), big.componentId(), big.controlId(), big.taskId(), big.activityId(), big.plugin(),
                big.packageName(), big.version(), big.status(), "x".repeat((int) connection.getMaxPayload()), big.subject(),
                big.observations(), big.findings(), big.risks(), big.logs(), big.startedAt(), big.finishedAt(), null);
        sink.publish(big);
        sink.publish(result("run-f", 1));
        sink.awaitDurable("run-f");
        assertEquals(0, sink.lost());
        assertEquals(1, sink.deadLettered());
        assertFalse(sink.pending() > 0);
        assertEquals(List.of(id("run-f", 1)), streamMsgIds(connection, STREAM));
        List<String> lines = Files.readAllLines(sink.spool().deadLetterFile());
        assertEquals(1, lines.size());
        JsonNode dead = new ObjectMapper().readTree(lines.get(0));
        assertEquals(id("run-f", 0), dead.get("resultId").asText());
        assertEquals("run-f", new ObjectMapper().readTree(dead.get("payload").asText()).get("runId").asText(),
                "the full result, ready to replay");
    }

    @Test
    void aStreamDeletedByHandIsCreatedAgainAndNothingIsDeadLettered() throws Exception {
        NatsLink link = link();
        Connection connection = link.connection().orElseThrow();
        StreamSetup.ensureResultsStream(connection, settings);
        JetStreamResultSink sink = sink(link);
        sink.publish(result("run-g", 0));
        sink.awaitDurable("run-g");
        connection.jetStreamManagement().deleteStream(STREAM);
        for (int i = 1; i < 20; i++) {
            sink.publish(result("run-g", i));
        }
        assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
        assertEquals(ids("run-g", 1, 20), streamMsgIds(connection, STREAM), "the stream is back with every later result");
        assertEquals(0, sink.deadLettered());
        assertEquals(0, sink.lost());
    }

    @Test
    void aFullStreamThatDiscardsNewDeadLettersAndTheRestFlow() throws Exception {
        NatsLink link = link();
        Connection connection = link.connection().orElseThrow();
        connection.jetStreamManagement().addStream(io.nats.client.api.StreamConfiguration.builder(
                StreamSetup.resultsStreamConfig(settings)).maxMessages(5)
                .discardPolicy(io.nats.client.api.DiscardPolicy.New).build());
        JetStreamResultSink sink = sink(link);
        for (int i = 0; i < 8; i++) {
            sink.publish(result("run-h", i));
        }
        sink.awaitDurable("run-h");
        assertEquals(5, sink.publishedDirect());
        assertEquals(3, sink.deadLettered(), "maximum messages exceeded is final");
        assertEquals(0, sink.pending(), "nothing stuck in the spool");
        connection.jetStreamManagement().purgeStream(STREAM);
        sink.publish(result("run-h", 8));
        sink.awaitDurable("run-h");
        assertEquals(List.of(id("run-h", 8)), streamMsgIds(connection, STREAM), "later results flow once there is room");
    }

    @Test
    void msgIdsThatAreNotValidHeaderValuesAreHashed() {
        byte[] payload = "{}".getBytes(StandardCharsets.UTF_8);
        assertEquals("run:plan/task:act:subject-1", JetStreamResultSink.msgId("run:plan/task:act:subject-1", payload));
        for (String bad : List.of("with space", "line\nbreak", "caf\u00e9", "x".repeat(200), "")) {
            String id = JetStreamResultSink.msgId(bad, payload);
            assertTrue(id.matches("[0-9a-f]{64}"), bad + " -> " + id);
        }
        assertEquals(JetStreamResultSink.msgId("with space", payload), JetStreamResultSink.msgId("with space", new byte[1]),
                "stable: the same result id always gives the same msg id");
    }

    @Test
    void theSpoolLimitComesFromTheSettings() {
        NatsSettings small = new NatsSettings(settings.resultsStream(), settings.scheduleStream(), 1, settings.duplicateWindow(),
                settings.ackWait(), settings.maxDeliver(), settings.misfireDeadline(), settings.spoolDir().resolveSibling("small"),
                settings.startWait(), 3L << 20);
        JetStreamResultSink sink = closeLater(JetStreamResultSink.open(link(), small));
        assertEquals(3L << 20, sink.spool().maxBytes());
    }

    @Test
    void publishRate() throws Exception {
        NatsLink link = link();
        Connection connection = link.connection().orElseThrow();
        StreamSetup.ensureResultsStream(connection, settings);
        JetStreamResultSink sink = sink(link);
        for (int i = 0; i < 2000; i++) { // warm-up
            sink.publish(result("warm", i));
        }
        int n = 10_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sink.publish(result("rate-1", i));
        }
        long t1 = System.nanoTime();
        int threads = 4;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String run = "rate-4-" + t;
            Thread w = new Thread(() -> {
                for (int i = 0; i < n / threads; i++) {
                    sink.publish(result(run, i));
                }
            });
            workers.add(w);
        }
        long t2 = System.nanoTime();
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join();
        }
        long t3 = System.nanoTime();
        assertEquals(0, sink.spooled());
        awaitTrue(WAIT, "all in the stream", () -> streamCount(connection, STREAM) == 2000 + 2L * n);
        long t4 = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += io.ccf.ar.runtime.run.ResultJson.toJson(result("json", i)).length();
        }
        long t5 = System.nanoTime();
        System.out.printf("JetStreamResultSink: %d results/s from 1 thread, %d results/s from %d threads "
                        + "(ResultJson alone: %d/s, %d bytes each)%n",
                n * 1_000_000_000L / (t1 - t0), n * 1_000_000_000L / (t3 - t2), threads,
                n * 1_000_000_000L / (t5 - t4), sum / n);
    }
}
