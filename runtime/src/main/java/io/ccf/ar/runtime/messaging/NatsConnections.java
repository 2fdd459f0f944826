package io.ccf.ar.runtime.messaging;

import java.time.Duration;

import io.ccf.ar.runtime.config.NatsAuthSettings;
import io.nats.client.Options;

/**
 * Opens the runtime's NATS connection with options fit for a daemon: named after the runtime id, reconnecting
 * forever (every {@code reconnectWait}, with jitter), pings every 15 s so a silent server is noticed, and every
 * connect, disconnect, reconnect and close logged once (INFO/WARN, with the server URL).
 *
 * <p>Two ways to start: {@link #connect} fails at once with a message naming the URL when NATS is not there;
 * {@link #connectInBackground} returns at once and keeps trying (the daemon starts without NATS). Both return a
 * {@link NatsLink}; close it to stop.
 *
 * <p>jnats' own {@code Nats.connectReconnectOnConnect} blocks its caller until the server answers and gives no
 * handle to cancel it, and {@code connectAsynchronously} cannot be stopped either; hence the link's own retry
 * loop for the first connect (a daemon thread, {@code ar-nats-connect}), after which jnats' reconnect takes over.
 */
public final class NatsConnections {
    /** Wait between reconnect attempts (plus up to 100 ms jitter). */
    public static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(2);
    /** Timeout of one connect attempt. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private NatsConnections() {
    }

    /**
     * Connects now, or fails.
     *
     * @param url            {@code nats://host:port}, or several comma-separated (a cluster)
     * @param name           connection name (the runtime id)
     * @param initialTimeout timeout of the first connect attempt (per server)
     * @throws NatsUnavailableException naming the URL, if no server answered
     */
    public static NatsLink connect(String url, String name, Duration initialTimeout) {
        return connect(url, name, initialTimeout, DEFAULT_RECONNECT_WAIT);
    }

    public static NatsLink connect(String url, String name, Duration initialTimeout, Duration reconnectWait) {
        return connect(url, name, initialTimeout, reconnectWait, NatsAuthSettings.NONE);
    }

    /** As {@link #connect(String, String, Duration, Duration)}, authenticating and securing the connection with {@code auth}. */
    public static NatsLink connect(String url, String name, Duration initialTimeout, Duration reconnectWait,
            NatsAuthSettings auth) {
        NatsLink link = new NatsLink(url, name, reconnectWait, auth);
        link.options(options(link, url, name, initialTimeout, reconnectWait, auth));
        link.connectNow(initialTimeout);
        return link;
    }

    /**
     * Returns at once; connects in the background, retrying every {@link #DEFAULT_RECONNECT_WAIT} until NATS
     * answers (one WARN line when the first attempt fails), then reconnects forever.
     */
    public static NatsLink connectInBackground(String url, String name) {
        return connectInBackground(url, name, DEFAULT_CONNECT_TIMEOUT, DEFAULT_RECONNECT_WAIT);
    }

    /** As {@link #connectInBackground(String, String)}, authenticating and securing the connection with {@code auth}. */
    public static NatsLink connectInBackground(String url, String name, NatsAuthSettings auth) {
        return connectInBackground(url, name, DEFAULT_CONNECT_TIMEOUT, DEFAULT_RECONNECT_WAIT, auth);
    }

    public static NatsLink connectInBackground(String url, String name, Duration attemptTimeout, Duration reconnectWait) {
        return connectInBackground(url, name, attemptTimeout, reconnectWait, NatsAuthSettings.NONE);
    }

    public static NatsLink connectInBackground(String url, String name, Duration attemptTimeout, Duration reconnectWait,
            NatsAuthSettings auth) {
        NatsLink link = new NatsLink(url, name, reconnectWait, auth);
        link.options(options(link, url, name, attemptTimeout, reconnectWait, auth));
        link.connectInBackground();
        return link;
    }

    /**
     * Options of a short-lived client (the CLI): the same authentication and TLS as the daemon, no reconnects.
     */
    public static Options clientOptions(String url, String name, Duration connectTimeout, NatsAuthSettings auth) {
        return NatsAuth.apply(new Options.Builder().server(url).connectionName(name).connectionTimeout(connectTimeout)
                .maxReconnects(0), auth).build();
    }

    private static Options options(NatsLink link, String url, String name, Duration connectTimeout, Duration reconnectWait,
            NatsAuthSettings auth) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("NATS URL is empty");
        }
        ConnectionEventLog events = new ConnectionEventLog(link, url, reconnectWait);
        return NatsAuth.apply(new Options.Builder(), auth)
                .server(url)
                .connectionName(name)
                .connectionTimeout(connectTimeout)
                .maxReconnects(-1)
                .reconnectWait(reconnectWait)
                .reconnectJitter(Duration.ofMillis(100))
                .pingInterval(Duration.ofSeconds(15))
                .maxPingsOut(2)
                .connectionListener(events)
                .errorListener(events)
                .build();
    }
}
