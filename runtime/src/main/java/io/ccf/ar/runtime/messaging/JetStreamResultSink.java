package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.ResultJson;
import io.ccf.ar.runtime.run.ResultSink;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.PublishOptions;

/**
 * Publishes each result as JSON to JetStream subject {@code job.result} with {@code Nats-Msg-Id} = the result id,
 * and waits for the stream's ack (at most {@code ackTimeout}). A result goes to the on-disk {@link ResultSpool}
 * instead when NATS is not connected, when the publish fails or times out, or when the spool already holds
 * results (so results stay in order). {@link #publish} never throws, and blocks at most {@code ackTimeout}
 * (plus an fsync when spooling).
 *
 * <p>A drainer thread ({@code ar-result-drainer}) publishes spooled results oldest first, one at a time with
 * ack, when the connection is back (woken by the link's reconnect, and retrying with backoff from 100 ms to
 * 5 s), removing each after its ack. After a failure it also creates the results stream if it is missing
 * ({@link StreamSetup#createIfMissing}; it never changes an existing stream). A result published twice (a
 * crash between ack and removal, a timed-out publish that did reach the stream) is stored once, thanks to the
 * msg id, within the stream's duplicate window.
 *
 * <p>Logs: one WARN when results start going to the spool (with the reason) and one INFO when it is drained
 * (with the count); nothing per result. Results that can never be published (bigger than the server's max
 * payload, or not serializable) are dropped with an ERROR.
 *
 * <p>{@link #close} stops the drainer and closes the spool; whatever is left stays on disk for the next start.
 */
public final class JetStreamResultSink implements ResultSink, AutoCloseable {
    public static final String SUBJECT = StreamSetup.RESULTS_SUBJECT;
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(5);
    private static final int DRAIN_BATCH = 64;
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long IDLE_WAIT_MS = 30_000;
    private static final long STREAM_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long STILL_FAILING_LOG_NS = TimeUnit.MINUTES.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(JetStreamResultSink.class);

    private final NatsLink link;
    private final NatsSettings settings;
    private final ResultSpool spool;
    private final Duration ackTimeout;
    private final JetStreamOptions jsOptions;
    private final Semaphore wake = new Semaphore(0);
    private final Object drainedSignal = new Object();
    private final Runnable onConnected = this::kick;
    private final Thread drainer;
    private final LongAdder publishedDirect = new LongAdder();
    private final LongAdder publishedFromSpool = new LongAdder();
    private final LongAdder spooled = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private volatile boolean closed;
    private volatile JetStreamRef jetStream;

    // guarded by spool
    private boolean spooling;
    private long spoolingSince;
    private long lastLostLog;

    private record JetStreamRef(Connection connection, JetStream jetStream) {
    }

    /** A publish that can never succeed (the result is dropped, with an ERROR). */
    private static final class Undeliverable extends Exception {
        private static final long serialVersionUID = 1L;

        Undeliverable(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A sink on {@code link} with the spool in {@code settings.spoolDir()} ({@link ResultSpool#open(java.nio.file.Path)})
     * and the default ack timeout. Starts the drainer.
     */
    public static JetStreamResultSink open(NatsLink link, NatsSettings settings) {
        return new JetStreamResultSink(link, settings, ResultSpool.open(settings.spoolDir(), settings.spoolMaxBytes(), ResultSpool.DEFAULT_SEGMENT_BYTES), DEFAULT_ACK_TIMEOUT);
    }

    /** A sink that owns (and closes) {@code spool}. Starts the drainer. */
    public JetStreamResultSink(NatsLink link, NatsSettings settings, ResultSpool spool, Duration ackTimeout) {
        this.link = link;
        this.settings = settings;
        this.spool = spool;
        this.ackTimeout = ackTimeout;
        this.jsOptions = JetStreamOptions.builder().requestTimeout(ackTimeout).build();
        synchronized (spool) {
            if (!spool.isEmpty()) {
                spooling = true;
                spoolingSince = System.nanoTime();
            }
        }
        link.onConnected(onConnected);
        drainer = new Thread(this::drainLoop, "ar-result-drainer");
        drainer.setDaemon(true);
        drainer.start();
    }

    @Override
    public void publish(AssessmentResult result) {
        String id;
        byte[] data;
        try {
            id = result.resultId();
            data = ResultJson.toJson(result).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            lost.increment();
            log.error("result of run {} cannot be written as JSON, dropped: {}", result.runId(), e.toString());
            return;
        }
        if (closed) {
            lostResult(id, "the result sink is closed");
            return;
        }
        long seq = -1;
        synchronized (spool) {
            if (!spool.isEmpty()) {
                seq = toSpool(id, data, "results are waiting in the spool");
            }
        }
        if (seq != -1) {
            durable(id, seq);
            return;
        }
        String reason;
        Connection connection = link.connection().orElse(null);
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            reason = "NATS at " + link.url() + " is not connected";
        } else {
            try {
                publishNow(connection, id, data);
                publishedDirect.increment();
                return;
            } catch (Undeliverable e) {
                lost.increment();
                log.error("result {} dropped: {}", id, e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reason = "interrupted while waiting for the JetStream ack";
            } catch (Exception e) {
                reason = "publishing to JetStream failed: " + describe(e);
            }
        }
        synchronized (spool) {
            seq = toSpool(id, data, reason);
        }
        durable(id, seq);
    }

    /** Results waiting in the spool. */
    public long pending() {
        return spool.count();
    }

    /** Published and acked without the spool. */
    public long publishedDirect() {
        return publishedDirect.sum();
    }

    /** Published (and acked) by the drainer from the spool. */
    public long publishedFromSpool() {
        return publishedFromSpool.sum();
    }

    /** Written to the spool by {@link #publish}. */
    public long spooled() {
        return spooled.sum();
    }

    /** Dropped: undeliverable, not serializable, spool write failed, or published after close. */
    public long lost() {
        return lost.sum() + spool.dropped();
    }

    public ResultSpool spool() {
        return spool;
    }

    /** Waits until the spool is empty; true if it is. For a graceful stop and for tests. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drainedSignal) {
            while (!spool.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return spool.isEmpty();
                }
                drainedSignal.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
        return true;
    }

    /** Stops the drainer and closes the spool; pending results stay on disk. Does not close the link. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        link.removeListener(onConnected);
        wake.release();
        drainer.interrupt();
        try {
            drainer.join(TimeUnit.SECONDS.toMillis(10) + ackTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (spool) {
            long left = spool.count();
            if (left > 0) {
                log.warn("result sink closed with {} results in the spool {}; they are published after the next start",
                        left, spool.dir());
            }
            spool.close();
        }
        synchronized (drainedSignal) {
            drainedSignal.notifyAll();
        }
    }

    // ---- publishing

    private void publishNow(Connection connection, String id, byte[] data) throws IOException, JetStreamApiException, Undeliverable,
            InterruptedException, TimeoutException {
        long max = connection.getMaxPayload();
        if (max > 0 && data.length > max) {
            throw new Undeliverable("it has " + data.length + " bytes, more than the NATS server's max_payload of " + max);
        }
        try {
            jetStream(connection).publish(SUBJECT, null, data, PublishOptions.builder().messageId(id).build());
        } catch (IllegalArgumentException e) {
            throw new Undeliverable(e.getMessage());
        }
    }

    private JetStream jetStream(Connection connection) throws IOException {
        JetStreamRef ref = jetStream;
        if (ref != null && ref.connection() == connection) {
            return ref.jetStream();
        }
        JetStream js = connection.jetStream(jsOptions);
        jetStream = new JetStreamRef(connection, js);
        return js;
    }

    /** Writes to the spool; the caller holds the spool's lock, then calls {@link #durable} without it. */
    private long toSpool(String id, byte[] data, String reason) {
        long seq;
        try {
            seq = spool.write(id, data);
        } catch (RuntimeException e) {
            lostResult(id, "cannot write the spool " + spool.dir() + ": " + e.getMessage());
            return 0;
        }
        spooled.increment();
        if (!spooling) {
            spooling = true;
            spoolingSince = System.nanoTime();
            log.warn("results now go to the spool {} until JetStream takes them again: {}", spool.dir(), reason);
        }
        kick();
        return seq;
    }

    /** Waits for the spool's fsync of the record (shared with concurrent appenders). */
    private void durable(String id, long seq) {
        if (seq <= 0) {
            return;
        }
        try {
            spool.awaitDurable(seq);
        } catch (RuntimeException e) {
            lostResult(id, "cannot force the spool " + spool.dir() + " to disk (the result may still be published): "
                    + e.getMessage());
        }
    }

    /** At most one ERROR line every 10 s; the counter says how many. */
    private void lostResult(String id, String why) {
        lost.increment();
        synchronized (spool) {
            long now = System.nanoTime();
            if (lastLostLog == 0 || now - lastLostLog > TimeUnit.SECONDS.toNanos(10)) {
                lastLostLog = now;
                log.error("result {} lost: {} ({} results lost so far)", id, why, lost.sum());
            }
        }
    }

    private void kick() {
        wake.release();
    }

    // ---- the drainer

    private void drainLoop() {
        long backoff = MIN_BACKOFF_MS;
        long lastStreamCheck = 0;
        boolean checkStream = false;
        long failingSince = 0;
        long lastFailingLog = 0;
        long drained = 0;
        while (!closed) {
            try {
                if (spool.isEmpty()) {
                    await(IDLE_WAIT_MS);
                    continue;
                }
                Connection connection = link.connection().orElse(null);
                if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
                    await(MAX_BACKOFF_MS); // the link's reconnect wakes us
                    continue;
                }
                if (checkStream && System.nanoTime() - lastStreamCheck > STREAM_CHECK_INTERVAL_NS) {
                    lastStreamCheck = System.nanoTime();
                    StreamSetup.createIfMissing(connection.jetStreamManagement(), StreamSetup.resultsStreamConfig(settings));
                    checkStream = false;
                }
                List<ResultSpool.Entry> batch = spool.peek(DRAIN_BATCH);
                for (ResultSpool.Entry e : batch) {
                    if (closed) {
                        return;
                    }
                    try {
                        publishNow(connection, e.msgId(), e.data());
                        publishedFromSpool.increment();
                        drained++;
                    } catch (Undeliverable u) {
                        lost.increment();
                        log.error("spooled result {} dropped: {}", e.msgId(), u.getMessage());
                    }
                    spool.remove(e);
                }
                backoff = MIN_BACKOFF_MS;
                failingSince = 0;
                synchronized (spool) {
                    if (spool.isEmpty()) {
                        spool.commit();
                        if (spooling) {
                            spooling = false;
                            log.info("result spool drained: {} results published to JetStream stream {} after {} s in the spool",
                                    drained, settings.resultsStream(),
                                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - spoolingSince));
                            drained = 0;
                        }
                    }
                }
                if (spool.isEmpty()) {
                    synchronized (drainedSignal) {
                        drainedSignal.notifyAll();
                    }
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                checkStream = true;
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                    lastFailingLog = now;
                    log.debug("publishing spooled results failed (retrying): {}", describe(e));
                } else if (now - lastFailingLog > STILL_FAILING_LOG_NS) {
                    lastFailingLog = now;
                    log.warn("spooled results still cannot be published after {} s ({} pending): {}",
                            TimeUnit.NANOSECONDS.toSeconds(now - failingSince), spool.count(), describe(e));
                }
                try {
                    await(backoff);
                } catch (InterruptedException ie) {
                    if (closed) {
                        return;
                    }
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }

    private void await(long millis) throws InterruptedException {
        if (wake.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
            wake.drainPermits();
        }
    }

    private static String describe(Exception e) {
        if (e instanceof TimeoutException) {
            return "no ack within the timeout";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public String toString() {
        return "JetStreamResultSink[" + link.url() + ", " + spool + "]";
    }
}
