package io.ccf.ar.runtime.messaging;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.support.Status;

/**
 * Logs what happens to one NATS connection, one line per event with the server URL, and tells the
 * {@link NatsLink} about it. Failed reconnect attempts (one per reconnect wait while the server is away) are
 * logged at DEBUG only: the DISCONNECTED line (or NatsLink's line for a first connect) already says so.
 */
final class ConnectionEventLog implements ConnectionListener, ErrorListener {
    private static final Logger log = LoggerFactory.getLogger("io.ccf.ar.runtime.messaging.Nats");

    private final NatsLink link;
    private final String url;
    private final String rawUrl;
    private final Duration reconnectWait;
    private volatile String lastUrl;
    private volatile boolean everConnected;
    private volatile boolean connected;
    private volatile String lastCause;

    ConnectionEventLog(NatsLink link, String url, Duration reconnectWait) {
        this.link = link;
        this.url = Redaction.url(url);
        this.rawUrl = url;
        this.reconnectWait = reconnectWait;
        this.lastUrl = this.url;
    }

    @Override
    public void connectionEvent(Connection conn, Events type) {
        String server = conn == null || conn.getConnectedUrl() == null ? lastUrl : Redaction.url(conn.getConnectedUrl());
        switch (type) {
            case CONNECTED -> {
                lastUrl = server;
                everConnected = true;
                connected = true;
                log.info("NATS connected to {} as '{}'", server, link.name());
                link.connected(conn);
            }
            case RECONNECTED -> {
                lastUrl = server;
                connected = true;
                log.info("NATS reconnected to {}", server);
                link.connected(conn);
            }
            case DISCONNECTED -> {
                boolean was = connected;
                connected = false;
                String cause = lastCause;
                lastCause = null;
                if (was) {
                    log.warn("NATS disconnected from {}{}; reconnecting (every {} ms, forever)", server,
                            cause == null ? "" : " (" + cause + ")", reconnectWait.toMillis());
                } else {
                    log.debug("NATS not connected to {}", server);
                }
            }
            case CLOSED -> {
                connected = false;
                if (everConnected) {
                    log.info("NATS connection to {} closed", server);
                } else {
                    log.debug("NATS connection attempt to {} closed", url);
                }
            }
            case LAME_DUCK -> log.warn("NATS server {} is entering lame duck mode (shutting down)", server);
            default -> log.debug("NATS {} ({})", type.getEvent(), server);
        }
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
        String described = NatsAuth.describeError(link.auth(), rawUrl, error);
        if (described != null) {
            link.reportFailure(described);
        } else {
            log.warn("NATS error from {}: {}", lastUrl, Redaction.text(error));
        }
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
        if (connected && exp instanceof java.io.IOException) {
            // the socket broke: the DISCONNECTED line that follows carries it
            lastCause = exp.getMessage() == null ? exp.getClass().getSimpleName() : Redaction.text(exp.getMessage());
            log.debug("NATS connection to {}: {}", lastUrl, Redaction.text(exp.toString()));
        } else if (connected) {
            log.warn("NATS connection to {}: {}", lastUrl, Redaction.text(exp.toString()));
        } else {
            // failed (re)connect attempts: NatsLink and the DISCONNECTED line already said so, once; an
            // authentication or TLS failure is an ERROR (once) naming the setting to fix
            String described = NatsAuth.describeFailure(link.auth(), rawUrl, exp);
            if (described != null) {
                link.reportFailure(described);
            } else {
                log.debug("NATS at {} not reachable: {}", everConnected ? lastUrl : url, Redaction.text(exp.toString()));
            }
        }
    }

    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
        log.warn("NATS slow consumer on {}: messages are being dropped ({} pending)", lastUrl, consumer.getPendingMessageCount());
    }

    @Override
    public void messageDiscarded(Connection conn, Message msg) {
        log.debug("NATS discarded a message on {} (subject {})", lastUrl, msg == null ? "?" : msg.getSubject());
    }

    @Override
    public void heartbeatAlarm(Connection conn, JetStreamSubscription sub, long lastStreamSequence, long lastConsumerSequence) {
        log.warn("NATS heartbeat alarm on {} (stream seq {}, consumer seq {})", lastUrl, lastStreamSequence, lastConsumerSequence);
    }

    @Override
    public void unhandledStatus(Connection conn, JetStreamSubscription sub, Status status) {
        log.warn("NATS unhandled status on {}: {}", lastUrl, status);
    }

    @Override
    public void pullStatusWarning(Connection conn, JetStreamSubscription sub, Status status) {
        log.debug("NATS pull status warning on {}: {}", lastUrl, status);
    }

    @Override
    public void pullStatusError(Connection conn, JetStreamSubscription sub, Status status) {
        log.warn("NATS pull status error on {}: {}", lastUrl, status);
    }

    @Override
    public void socketWriteTimeout(Connection conn) {
        log.warn("NATS socket write timeout on {}", lastUrl);
    }
}
