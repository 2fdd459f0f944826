package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.NatsAuthSettings;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * The runtime's NATS connection, as {@link NatsConnections} opens it: reconnects forever once connected, and
 * (when opened in the background) keeps trying until the first connect succeeds. Components ask for the
 * connection when they need it ({@link #connection}, {@link #isConnected}) and may be told when it (re)connects.
 * Thread-safe.
 */
public final class NatsLink implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NatsLink.class);

    private final String url;
    private final String name;
    private final NatsAuthSettings auth;
    private String lastFailure;
    private volatile boolean failFast;
    private final java.util.concurrent.atomic.AtomicInteger failedAttempts = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String failFastFailure;
    private final Duration reconnectWait;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstConnect = new CountDownLatch(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private Options options;
    private volatile Connection connection;
    private volatile boolean closed;
    private Thread connector;

    NatsLink(String url, String name, Duration reconnectWait) {
        this(url, name, reconnectWait, NatsAuthSettings.NONE);
    }

    NatsLink(String url, String name, Duration reconnectWait, NatsAuthSettings auth) {
        this.url = url;
        this.name = name;
        this.auth = auth;
        this.reconnectWait = reconnectWait;
    }

    void options(Options options) {
        this.options = options;
    }

    /** The URL (or comma-separated URLs) this link connects to, without user-info: safe to log ({@link Redaction}). */
    public String url() {
        return Redaction.url(url);
    }

    /** Failed first-connect attempts of the background loop so far. */
    int failedAttempts() {
        return failedAttempts.get();
    }

    private synchronized String lastFailure() {
        return lastFailure;
    }

    NatsAuthSettings auth() {
        return auth;
    }

    /**
     * An authentication or TLS failure (one sentence naming the setting, from {@link NatsAuth#describeFailure}):
     * logged as ERROR once until the text changes or a connect succeeds; the link keeps trying.
     */
    void reportFailure(String description) {
        synchronized (this) {
            if (failFast) {
                // connectNow throws it
                failFastFailure = description;
                return;
            }
            if (description.equals(lastFailure)) {
                log.debug("{}", description);
                return;
            }
            lastFailure = description;
        }
        log.atError().addKeyValue("natsUrl", url()).log("{}; still trying every {} ms (results wait in the spool)",
                description, reconnectWait.toMillis());
    }

    /** The connection name the server sees (the runtime id). */
    public String name() {
        return name;
    }

    /**
     * The jnats connection, once the first connect has succeeded (it may be reconnecting now: see
     * {@link #isConnected}); empty before that and after {@link #close}.
     */
    public Optional<Connection> connection() {
        return closed ? Optional.empty() : Optional.ofNullable(connection);
    }

    /** Connected right now (not connecting, reconnecting or closed). */
    public boolean isConnected() {
        Connection c = connection;
        return !closed && c != null && c.getStatus() == Connection.Status.CONNECTED;
    }

    /** Waits for the first connect; the connection, or empty if it did not happen within {@code timeout}. */
    public Optional<Connection> awaitConnection(Duration timeout) throws InterruptedException {
        firstConnect.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return connection();
    }

    /**
     * Runs {@code listener} after every connect and reconnect (on a jnats callback thread: keep it short, do
     * not block). jnats reports events asynchronously, so a listener added just after the first connect may
     * still hear of it; check {@link #isConnected} for the state now.
     */
    public void onConnected(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    /** Called by {@link ConnectionEventLog} on CONNECTED and RECONNECTED. */
    void connected(Connection conn) {
        synchronized (this) {
            lastFailure = null;
        }
        if (connection == null && conn != null) {
            connection = conn;
        }
        firstConnect.countDown();
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("NATS connect listener failed", e);
            }
        }
    }

    /** Fail-fast first connect (the caller's thread). */
    void connectNow(Duration timeout) {
        failFast = true;
        try {
            Connection c = Nats.connect(options);
            if (connection == null) {
                connection = c;
            }
            firstConnect.countDown();
        } catch (IOException | RuntimeException e) {
            String described = NatsAuth.describeFailure(auth, url, e);
            if (described == null) {
                described = failFastFailure; // jnats reported the cause to the error listener only
            }
            throw new NatsUnavailableException(described != null ? described
                    : "cannot connect to NATS at " + url() + " (timeout " + timeout.toMillis() + " ms): "
                            + Redaction.text(e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NatsUnavailableException("interrupted while connecting to NATS at " + url(), e);
        } finally {
            failFast = false;
        }
    }

    /** First connect on a background thread, retried every {@code reconnectWait} until it works or close. */
    void connectInBackground() {
        connector = new Thread(this::connectLoop, "ar-nats-connect");
        connector.setDaemon(true);
        connector.start();
    }

    private void connectLoop() {
        boolean warned = false;
        while (!closed) {
            try {
                Connection c = Nats.connect(options);
                synchronized (this) {
                    if (closed) {
                        closeQuietly(c);
                        return;
                    }
                    if (connection == null) {
                        connection = c;
                    }
                }
                firstConnect.countDown();
                if (warned) {
                    log.info("NATS at {} is reachable now", url());
                }
                return;
            } catch (IOException | RuntimeException e) {
                failedAttempts.incrementAndGet();
                String described = NatsAuth.describeFailure(auth, url, e);
                if (described != null) {
                    warned = true;
                    reportFailure(described);
                } else if (lastFailure() != null) {
                    // jnats told the error listener why (authentication, TLS): logged there, once
                    warned = true;
                    log.debug("NATS at {} still refuses: {}", url(), Redaction.text(e.getMessage()));
                } else if (!warned) {
                    warned = true;
                    log.warn("NATS at {} is not reachable ({}); running without it and trying again every {} ms",
                            url(), Redaction.text(e.getMessage()), reconnectWait.toMillis());
                } else {
                    log.debug("NATS at {} still not reachable: {}", url(), Redaction.text(e.getMessage()));
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (closing.await(reconnectWait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stops connecting and closes the connection (what jnats still buffers is flushed on a best-effort basis). */
    @Override
    public void close() {
        Connection c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = connection;
        }
        closing.countDown();
        Thread t = connector;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "NatsLink[" + url() + ", " + (isConnected() ? "connected" : "not connected") + "]";
    }
}
