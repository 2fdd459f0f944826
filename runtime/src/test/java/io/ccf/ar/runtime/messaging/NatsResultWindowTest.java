package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.STREAM;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.awaitTrue;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.id;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.result;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.streamMsgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.testing.NatsServerFixture;

/**
 * The window of asynchronous publishes of {@link JetStreamResultSink} against a real nats-server: many results in
 * flight at once are each stored once, and a server that hangs and then dies with results in flight loses none of
 * them (they go to the spool, then to the stream after a restart, duplicates dropped by msg id).
 */
class NatsResultWindowTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PRODUCERS = 4;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void manyResultsInFlightAreEachStoredOnce() throws Exception {
        int each = 2_500;
        NatsSettings settings = ResultTestSupport.settings(dir, 1);
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT);
             JetStreamResultSink sink = JetStreamResultSink.open(link, settings)) {
            StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
            AtomicInteger maxInFlight = new AtomicInteger();
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < PRODUCERS; t++) {
                String run = "run-w" + t;
                producers.add(new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        sink.publish(result(run, i));
                        maxInFlight.accumulateAndGet(sink.inFlight(), Math::max);
                    }
                    sink.awaitDurable(run);
                }, "producer-" + t));
            }
            producers.forEach(Thread::start);
            for (Thread p : producers) {
                p.join();
            }

            int total = PRODUCERS * each;
            assertEquals(0, sink.inFlight(), "every run's results are durable once awaitDurable returned");
            assertEquals(total, sink.publishedDirect());
            assertEquals(0, sink.spooled());
            assertEquals(0, sink.lost());
            assertTrue(maxInFlight.get() > 1, "results were in flight together: at most " + maxInFlight.get());
            assertTrue(maxInFlight.get() <= JetStreamResultSink.WINDOW, "the window bounds them: " + maxInFlight.get());
            List<String> stored = streamMsgIds(link.connection().orElseThrow(), STREAM);
            assertEquals(total, stored.size(), "no result twice");
            assertEquals(expected("run-w", each), new HashSet<>(stored), "every result");
        }
    }

    @Test
    @Timeout(180)
    void aServerThatHangsAndDiesWithResultsInFlightLosesNone() throws Exception {
        int each = 1_500;
        NatsSettings settings = ResultTestSupport.settings(dir, 1);
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT)) {
            StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
            int total = PRODUCERS * each;
            try (JetStreamResultSink sink = JetStreamResultSink.open(link, settings)) {
                // every producer stops a third of the way until the server is frozen: on a quiet machine they
                // would otherwise finish before the freeze and nothing would be in flight when it hangs
                CountDownLatch thirdWay = new CountDownLatch(PRODUCERS);
                CountDownLatch resume = new CountDownLatch(1);
                AtomicBoolean frozen = new AtomicBoolean();
                AtomicInteger inFlightAfterFreeze = new AtomicInteger();
                List<Thread> producers = new ArrayList<>();
                for (int t = 0; t < PRODUCERS; t++) {
                    String run = "run-k" + t;
                    producers.add(new Thread(() -> {
                        for (int i = 0; i < each; i++) {
                            if (i == each / 3) {
                                thirdWay.countDown();
                                try {
                                    resume.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    return;
                                }
                            }
                            sink.publish(result(run, i));
                            if (frozen.get()) {
                                inFlightAfterFreeze.accumulateAndGet(sink.inFlight(), Math::max);
                            }
                        }
                        sink.awaitDurable(run); // what a run does before its trigger is acked
                    }, "producer-" + t));
                }
                producers.forEach(Thread::start);
                assertTrue(thirdWay.await(WAIT.toSeconds(), TimeUnit.SECONDS));
                nats.freeze(); // acks stop; the client still thinks it is connected, so results go in flight
                frozen.set(true);
                resume.countDown();
                awaitTrue(WAIT, "results sent to the hung server", () -> inFlightAfterFreeze.get() > 0);
                int inFlightAtKill = sink.inFlight();
                nats.kill();
                for (Thread p : producers) {
                    p.join();
                }

                assertEquals(0, sink.inFlight());
                assertEquals(0, sink.lost());
                assertEquals(0, sink.deadLettered());
                assertEquals(total, sink.publishedDirect() + sink.spooled(), "each result acked or in the spool");
                assertEquals(sink.spooled(), sink.pending());
                assertTrue(sink.spooled() > 0, "the results in flight went to the spool (" + inFlightAtKill + " at the kill)");

                nats.startProcess();
                assertTrue(sink.awaitDrained(WAIT), "drained; pending " + sink.pending());
                List<String> stored = streamMsgIds(link.awaitConnection(WAIT).orElseThrow(), STREAM);
                System.out.printf("hung then killed: %d in flight at the kill, %d acked directly, %d through the spool, %d stored%n",
                        inFlightAtKill, sink.publishedDirect(), sink.spooled(), stored.size());
                assertEquals(expected("run-k", each), new HashSet<>(stored), "none lost");
                assertEquals(total, stored.size(), "none twice: a result stored before the hang and spooled as well is dropped by its msg id");
                assertEquals(0, sink.lost());
            }
        }
    }

    private static Set<String> expected(String runPrefix, int each) {
        Set<String> ids = new HashSet<>();
        for (int t = 0; t < PRODUCERS; t++) {
            for (int i = 0; i < each; i++) {
                ids.add(id(runPrefix + t, i));
            }
        }
        return ids;
    }
}
