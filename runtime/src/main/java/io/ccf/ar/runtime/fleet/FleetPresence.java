package io.ccf.ar.runtime.fleet;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nats.client.Connection;

/**
 * This runtime's part in the fleet view once NATS is there: it answers {@code runtime.status} and, unless the
 * interval is zero, publishes heartbeats. {@link #start} returns what to close at shutdown.
 */
public final class FleetPresence {
    private static final Logger log = LoggerFactory.getLogger(FleetPresence.class);

    private final StatusReporter reporter;
    private final Duration heartbeatInterval;
    private final StatusCodec codec = new StatusCodec();

    public FleetPresence(StatusReporter reporter, Duration heartbeatInterval) {
        this.reporter = reporter;
        this.heartbeatInterval = heartbeatInterval;
    }

    public StatusReporter reporter() {
        return reporter;
    }

    public AutoCloseable start(Connection connection) {
        StatusResponder responder = new StatusResponder(connection, reporter, codec);
        responder.start();
        if (heartbeatInterval.isZero()) {
            log.atInfo().addKeyValue("subject", FleetSubjects.STATUS).addKeyValue("heartbeatInterval", "0")
                    .log("answering status requests; heartbeats are off (heartbeatInterval: 0)");
            return responder;
        }
        HeartbeatPublisher heartbeats = new HeartbeatPublisher(connection, reporter, codec, heartbeatInterval);
        heartbeats.start();
        log.atInfo().addKeyValue("subject", FleetSubjects.STATUS).addKeyValue("heartbeat", heartbeats.subject())
                .addKeyValue("heartbeatInterval", heartbeatInterval.toMillis() + "ms")
                .log("answering status requests; publishing heartbeats");
        return () -> {
            heartbeats.close();
            responder.close();
        };
    }
}
