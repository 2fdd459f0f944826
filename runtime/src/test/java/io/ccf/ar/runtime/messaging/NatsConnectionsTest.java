package io.ccf.ar.runtime.messaging;

import static io.ccf.ar.runtime.messaging.ResultTestSupport.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;

/** {@link NatsConnections} and {@link NatsLink} against a real nats-server that comes and goes. */
class NatsConnectionsTest {
    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger natsLog = (Logger) LoggerFactory.getLogger("io.ccf.ar.runtime.messaging.Nats");
    private Level level;

    @BeforeEach
    void start() {
        nats = NatsServerFixture.start(dir);
        logged.start();
        level = natsLog.getLevel();
        natsLog.setLevel(Level.INFO);
        natsLog.addAppender(logged);
    }

    @AfterEach
    void stop() {
        natsLog.detachAppender(logged);
        natsLog.setLevel(level);
        nats.close();
    }

    private List<String> lines(Level atLeast) {
        synchronized (logged.list) {
            return logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(atLeast))
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    @Test
    void connectFailsFastWithTheUrlInTheMessage() {
        nats.stop();
        long t0 = System.nanoTime();
        NatsUnavailableException e = assertThrows(NatsUnavailableException.class,
                () -> NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains(nats.url()), e.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "fails fast");
    }

    @Test
    void connectNamesTheConnectionAndLogsOneLine() throws Exception {
        try (NatsLink link = NatsConnections.connect(nats.url(), "rt-42", Duration.ofSeconds(5))) {
            Connection c = link.connection().orElseThrow();
            assertTrue(link.isConnected());
            assertEquals("rt-42", c.getOptions().getConnectionName());
            assertEquals(-1, c.getOptions().getMaxReconnect());
        }
        awaitTrue(Duration.ofSeconds(10), "close logged", () -> lines(Level.INFO).size() == 2);
        List<String> lines = lines(Level.INFO);
        assertTrue(lines.get(0).startsWith("INFO NATS connected to " + nats.url()), lines.toString());
        assertTrue(lines.get(1).startsWith("INFO NATS connection to " + nats.url() + " closed"), lines.toString());
    }

    @Test
    void startsWithoutNatsAndConnectsWhenItComes() throws Exception {
        nats.stop();
        try (NatsLink link = NatsConnections.connectInBackground(nats.url(), "rt-test", Duration.ofSeconds(1),
                ResultTestSupport.RECONNECT_WAIT)) {
            assertFalse(link.isConnected());
            assertTrue(link.connection().isEmpty());
            CountDownLatch connected = new CountDownLatch(1);
            link.onConnected(connected::countDown);
            assertTrue(link.awaitConnection(Duration.ofMillis(600)).isEmpty(), "still nothing to connect to");
            nats.startProcess();
            assertTrue(connected.await(30, TimeUnit.SECONDS));
            assertTrue(link.isConnected());
            assertTrue(link.awaitConnection(Duration.ofSeconds(1)).isPresent());
        }
        assertEquals(0, Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("ar-nats-connect")).count());
    }

    @Test
    void closeStopsTheBackgroundConnector() {
        nats.stop();
        NatsLink link = NatsConnections.connectInBackground(nats.url(), "rt-test", Duration.ofSeconds(1),
                ResultTestSupport.RECONNECT_WAIT);
        link.close();
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("ar-nats-connect") && t.isAlive()).count());
        assertTrue(link.connection().isEmpty());
        assertFalse(link.isConnected());
    }

    @Test
    void reconnectsAfterARestartWithOneLinePerEvent() throws Exception {
        try (NatsLink link = NatsConnections.connect(nats.url(), "rt-test", Duration.ofSeconds(5), ResultTestSupport.RECONNECT_WAIT)) {
            // jnats reports events on its own thread: the first CONNECTED may come after connect() returned
            java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch reconnected = new CountDownLatch(1);
            link.onConnected(() -> {
                if (armed.get()) {
                    reconnected.countDown();
                }
            });
            nats.stop();
            awaitTrue(Duration.ofSeconds(10), "disconnect noticed", () -> !link.isConnected());
            armed.set(true);
            nats.startProcess();
            assertTrue(reconnected.await(30, TimeUnit.SECONDS));
            assertTrue(link.isConnected());
            List<String> lines = lines(Level.INFO);
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("INFO NATS connected to " + nats.url()), lines.toString());
            assertTrue(lines.get(1).startsWith("WARN NATS disconnected from " + nats.url()), lines.toString());
            assertTrue(lines.get(2).startsWith("INFO NATS reconnected to " + nats.url()), lines.toString());
        }
    }
}
