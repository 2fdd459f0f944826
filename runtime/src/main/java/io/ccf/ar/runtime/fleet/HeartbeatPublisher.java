package io.ccf.ar.runtime.fleet;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nats.client.Connection;

/**
 * Publishes this runtime's status on {@code runtime.heartbeat.<runtimeId>} every interval, on one scheduled thread.
 * While the connection is not up a beat is skipped (not buffered: a late heartbeat says nothing true).
 */
public final class HeartbeatPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatPublisher.class);

    private final Connection connection;
    private final StatusReporter reporter;
    private final StatusCodec codec;
    private final Duration interval;
    private final String subject;
    private final ScheduledExecutorService timer;
    private volatile boolean failing;

    public HeartbeatPublisher(Connection connection, StatusReporter reporter, StatusCodec codec, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("heartbeat interval must be positive: " + interval);
        }
        this.connection = connection;
        this.reporter = reporter;
        this.codec = codec;
        this.interval = interval;
        this.subject = FleetSubjects.heartbeat(reporter.runtimeId());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    public String subject() {
        return subject;
    }

    public void start() {
        timer.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        if (connection.getStatus() != Connection.Status.CONNECTED) {
            return;
        }
        try {
            connection.publish(subject, codec.encode(reporter.report()));
            if (failing) {
                failing = false;
                log.atInfo().addKeyValue("subject", subject).log("heartbeats published again");
            }
        } catch (RuntimeException e) {
            if (!failing) { // one line per run of failures, not one per beat
                failing = true;
                log.atWarn().addKeyValue("subject", subject).log("cannot publish the heartbeat: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
