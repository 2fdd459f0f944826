package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.STREAM;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.ids;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.result;
import static io.ccf.ar.runtime.messaging.ResultTestSupport.streamMsgIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.testing.NatsServerFixture;

/**
 * NATS goes away for a while (20 s; {@code -Dar.test.outageSeconds=N} to change) while results keep coming:
 * after it returns, every result is in the stream once, in order.
 */
class NatsResultOutageTest {
    @TempDir
    Path dir;

    @Test
    void resultsProducedWhileNatsIsDownArriveInOrderOnceItIsBack() throws Exception {
        int outageSeconds = Integer.getInteger("ar.test.outageSeconds", 20);
        int during = 200;
        NatsSettings settings = ResultTestSupport.settings(dir, 1);
        try (NatsServerFixture nats = NatsServerFixture.start(dir.resolve("nats"));
             NatsLink link = NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT)) {
            StreamSetup.ensureResultsStream(link.connection().orElseThrow(), settings);
            try (JetStreamResultSink sink = JetStreamResultSink.open(link, settings)) {
                for (int i = 0; i < 20; i++) {
                    sink.publish(result("run-o", i));
                }
                sink.awaitDurable("run-o");
                assertEquals(20, sink.publishedDirect());

                nats.stop();
                long interval = TimeUnit.SECONDS.toNanos(outageSeconds) / during;
                long next = System.nanoTime();
                long slowest = 0;
                for (int i = 20; i < 20 + during; i++) {
                    long t = System.nanoTime();
                    sink.publish(result("run-o", i));
                    slowest = Math.max(slowest, System.nanoTime() - t);
                    next += interval;
                    long pause = next - System.nanoTime();
                    if (pause > 0) {
                        TimeUnit.NANOSECONDS.sleep(pause); // pacing the producer, not waiting for anything
                    }
                }
                assertFalse(link.isConnected());
                assertEquals(during, sink.pending(), "all of them in the spool while NATS is down");
                assertTrue(slowest < JetStreamResultSink.DEFAULT_ACK_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(1),
                        "publish never blocks long: slowest " + TimeUnit.NANOSECONDS.toMillis(slowest) + " ms");

                nats.startProcess();
                assertTrue(sink.awaitDrained(Duration.ofSeconds(60)), "drained; pending " + sink.pending());
                for (int i = 20 + during; i < 40 + during; i++) {
                    sink.publish(result("run-o", i));
                }
                sink.awaitDurable("run-o");
                assertEquals(40, sink.publishedDirect());
                assertEquals(during, sink.publishedFromSpool());
                assertEquals(0, sink.lost());

                List<String> stored = streamMsgIds(link.connection().orElseThrow(), STREAM);
                assertEquals(ids("run-o", 0, 40 + during), stored, "every result once, in order");
            }
        }
    }
}
