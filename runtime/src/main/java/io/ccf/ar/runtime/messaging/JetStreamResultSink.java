package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.run.AssessmentResult;
import io.ccf.ar.runtime.run.ResultJson;
import io.ccf.ar.runtime.run.ResultSink;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;

/**
 * Publishes each result as JSON to JetStream subject {@code job.result} with {@code Nats-Msg-Id} = the result id.
 * Publishes are asynchronous within a bounded window of {@value #WINDOW} results waiting for the stream's ack:
 * {@link #publish} returns once the result is sent, and blocks (back-pressure) only while the window is full. A
 * result goes to the on-disk {@link ResultSpool} instead when NATS is not connected, when the spool already holds
 * results (so results stay in order), when the window stays full for {@link #DIRECT_ACK_TIMEOUT}, or later, when its
 * publish fails or its ack does not come within {@link #DIRECT_ACK_TIMEOUT} (spooled by the {@code ar-result-fallback}
 * thread). {@link #awaitDurable} waits until every result of a run is durable (acked by JetStream, in the spool or
 * the dead-letter file, or counted as lost): the run's trigger is acked only after it, so a crash never loses a
 * result whose run counts as done. Order: results are stored in the order they were published; a result is spooled
 * only once the results in flight are settled (those whose ack fails are spooled first, in the order they were sent:
 * {@link SendOrder}). Only a result whose ack is lost while later ones are acked ends up after them (JetStream
 * keeps each once by its msg id whatever the order).
 * {@link #publish} never throws, and blocks at most about twice {@link #DIRECT_ACK_TIMEOUT} (a full window, then the
 * results in flight settling before it spools one) plus an fsync when spooling. A caller that is interrupted (a run cancelled at its deadline) still gets its result published or spooled: the
 * interrupt is set aside during the hand-off and restored afterwards; the same holds for {@link #awaitDurable}.
 *
 * <p>A result the stream refuses for good ({@link PublishRejection#FINAL}: larger than the stream's
 * max_msg_size or the server's max_payload, a stream full with discard new) goes to the dead-letter file beside
 * the spool ({@link DeadLetterFile}), with an ERROR line, a count ({@link #deadLettered}) and a small notice on
 * {@code job.result.dead}; the results after it go on. Results are not split: consumers see one message per
 * result or none.
 *
 * <p>A drainer thread ({@code ar-result-drainer}) publishes spooled results oldest first, one at a time with
 * ack, when the connection is back (woken by the link's reconnect, and retrying with backoff from 100 ms to
 * 5 s), removing each after its ack. After a failure it also creates the results stream if it is missing
 * ({@link StreamSetup#createIfMissing}; it never changes an existing stream). A result published twice (a
 * crash between ack and removal, a timed-out publish that did reach the stream) is stored once, thanks to the
 * msg id, within the stream's duplicate window.
 *
 * <p>Logs: one WARN when results start going to the spool (with the reason) and one INFO when it is drained
 * (with the count); dead letters and lost results at most one ERROR line per 10 s, with the totals. Nothing is
 * logged per result.
 *
 * <p>{@link #close} waits for the results in flight (acked or spooled), then stops the drainer and closes the
 * spool; whatever is left stays on disk for the next start.
 */
public final class JetStreamResultSink implements ResultSink, AutoCloseable {
    public static final String SUBJECT = StreamSetup.RESULTS_SUBJECT;
    /** Where a notice of each dead-lettered result goes (core NATS, best effort). */
    public static final String DEAD_SUBJECT = SUBJECT + ".dead";
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a run waits for JetStream's ack of one of its results before the result goes to the spool instead:
     * short, so a stream leader election does not stretch runs past their schedule (the drainer, which nothing waits
     * for, gives each spooled result {@code ackTimeout}).
     */
    static final Duration DIRECT_ACK_TIMEOUT = Duration.ofSeconds(1);
    /**
     * Most results sent and not yet acked: enough to keep NATS busy from a few threads (a result is ~1 KB), few
     * enough that the ones a failed connection sends to the spool take a moment to write.
     */
    static final int WINDOW = 256;
    /** Longest msg id sent as it is; longer ids, or ids with bytes that are not printable ASCII, are hashed. */
    static final int MAX_MSG_ID = 128;
    /** Room left for the headers (Nats-Msg-Id) when comparing a payload with the server's max_payload. */
    private static final int HEADER_ROOM = 512;
    private static final int DRAIN_BATCH = 64;
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long IDLE_WAIT_MS = 30_000;
    private static final long STREAM_CHECK_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);
    private static final long STILL_FAILING_LOG_NS = TimeUnit.MINUTES.toNanos(1);
    private static final long ERROR_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final JsonFactory JSON = new JsonFactory();
    private static final Logger log = LoggerFactory.getLogger(JetStreamResultSink.class);

    private final NatsLink link;
    private final NatsSettings settings;
    private final ResultSpool spool;
    private final Duration ackTimeout;
    private final JetStreamOptions jsOptions;
    private final Semaphore wake = new Semaphore(0);
    private final Object drainedSignal = new Object();
    private final Object state = new Object();
    private final Runnable onConnected = this::kick;
    private final Thread drainer;
    /** Free places in the window of results sent and not acked yet. */
    private final Semaphore window = new Semaphore(WINDOW);
    /** Results not yet durable, per run id (no entry: none); see {@link #awaitDurable}. */
    private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final Object durableSignal = new Object();
    /** Spools or dead-letters results whose asynchronous publish failed: file I/O stays off the NATS threads. */
    private final ExecutorService fallback;
    /** The results in flight in send order, so that the failed ones reach the spool in that order. */
    private final SendOrder order = new SendOrder();
    private final LongAdder publishedDirect = new LongAdder();
    private final LongAdder publishedFromSpool = new LongAdder();
    private final LongAdder spooled = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder notSpooled = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private volatile boolean closed;
    private volatile JetStreamRef jetStream;

    // guarded by state
    private boolean spooling;
    private long spoolingSince;
    private long lastLostLog;
    private long lastDeadLog;

    private record JetStreamRef(Connection connection, JetStream direct, JetStream drain) {
    }

    /** A publish the stream (or the client) refused, with how to treat it. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final PublishRejection kind;
        final Integer code;

        Refused(PublishRejection kind, Integer code, String message) {
            super(message, null, false, false);
            this.kind = kind;
            this.code = code;
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
        if (!spool.isEmpty()) {
            spooling = true;
            spoolingSince = System.nanoTime();
        }
        link.onConnected(onConnected);
        fallback = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ar-result-fallback");
            t.setDaemon(true);
            return t;
        });
        drainer = new Thread(this::drainLoop, "ar-result-drainer");
        drainer.setDaemon(true);
        drainer.start();
    }

    @Override
    public void publish(AssessmentResult result) {
        // Set aside the caller's interrupt: a cancelled run's result must still be published or spooled.
        boolean interrupted = Thread.interrupted();
        try {
            interrupted |= publishOrSpool(result);
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Returns whether the caller was interrupted meanwhile. */
    private boolean publishOrSpool(AssessmentResult result) {
        String id;
        byte[] data;
        try {
            data = ResultJson.toJson(result).getBytes(StandardCharsets.UTF_8);
            id = msgId(result.resultId(), data);
        } catch (RuntimeException e) {
            lost.increment();
            log.error("result of run {} cannot be written as JSON, dropped: {}", result.runId(), e.toString());
            return false;
        }
        if (closed) {
            lostResult(id, "the result sink is closed");
            return false;
        }
        boolean interrupted = false;
        if (!spool.isEmpty()) {
            return spoolAfterInFlight(id, data, "results are waiting in the spool");
        }
        String reason;
        Connection connection = link.connection().orElse(null);
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            reason = "NATS at " + link.url() + " is not connected";
        } else {
            boolean placed = false;
            try {
                checkSize(connection, data);
                long waitUntil = System.nanoTime() + DIRECT_ACK_TIMEOUT.toNanos();
                while (true) { // the window's wait does not end early on an interrupt: the result must go somewhere
                    try {
                        placed = window.tryAcquire(Math.max(0, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (placed) {
                    sendAsync(connection, runKey(result), id, data);
                    return interrupted;
                }
                reason = "no JetStream ack within " + DIRECT_ACK_TIMEOUT.toMillis() + " ms for the " + WINDOW + " results in flight";
            } catch (Refused r) {
                if (placed) {
                    window.release();
                }
                if (r.kind == PublishRejection.FINAL) {
                    deadLetter(connection, id, data, r);
                    return interrupted;
                }
                reason = "JetStream refused it: " + r.getMessage(); // the drainer retries, creates the stream
            } catch (RuntimeException e) { // the connection closed under us
                if (placed) {
                    window.release();
                }
                reason = "publishing to JetStream failed: " + describe(e);
            }
        }
        return spoolAfterInFlight(id, data, reason) | interrupted;
    }

    /**
     * Spools a result once the results in flight are settled (those that fail are spooled first: results stay in
     * order); the wait is at most about {@link #DIRECT_ACK_TIMEOUT}, and only when results were in flight as NATS
     * failed. Returns whether the caller was interrupted meanwhile.
     */
    private boolean spoolAfterInFlight(String id, byte[] data, String reason) {
        boolean interrupted = false;
        long until = System.nanoTime() + DIRECT_ACK_TIMEOUT.toNanos() * 2;
        while (!inFlight.isEmpty() && System.nanoTime() < until) {
            try {
                awaitInFlight(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        toSpool(id, data, reason);
        return interrupted;
    }

    /**
     * Sends one result with its place in the window taken; the place is given back, and the run's count of results in
     * flight lowered, once the result is acked, spooled, dead-lettered or lost.
     */
    private void sendAsync(Connection connection, String run, String id, byte[] data) throws Refused {
        inFlight.merge(run, 1, Integer::sum);
        long sequence = order.sending(new SendOrder.Sent(run, id, data, connection));
        CompletableFuture<PublishAck> ack;
        try {
            ack = jetStream(connection).publishAsync(SUBJECT, null, data, PublishOptions.builder().messageId(id).build());
        } catch (IOException | RuntimeException e) {
            order.withdrawn(sequence);
            runSettled(run); // the caller gives the window's place back and spools or dead-letters it
            PublishRejection kind = PublishRejection.of(e);
            throw new Refused(kind, PublishRejection.code(e), describe(e));
        }
        ack.orTimeout(DIRECT_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, failure) -> {
            if (failure == null) {
                publishedDirect.increment();
                settled(run);
                if (order.acked(sequence)) {
                    handOnFailuresLater(); // failures sent after this one may have waited for it
                }
                return;
            }
            order.failed(sequence, unwrap(failure));
            handOnFailuresLater();
        });
    }

    /**
     * Spools (or dead-letters) the failed results whose turn has come, on the {@code ar-result-fallback} thread: file
     * I/O stays off the NATS threads, and failures reach the spool in the order they were sent.
     */
    private void handOnFailuresLater() {
        try {
            fallback.execute(() -> order.handOnFailures(this::failedInTurn));
        } catch (RejectedExecutionException closing) { // only after close() gave up waiting
            order.handOnFailures(sent -> {
                lostResult(sent.id, "the result sink closed before its failed publish could be spooled");
                settled(sent.run);
            });
        }
    }

    private void failedInTurn(SendOrder.Sent sent) {
        try {
            failed(sent.connection, sent.id, sent.data, sent.failure);
        } finally {
            settled(sent.run);
        }
    }

    /** A result whose asynchronous publish failed: to the dead-letter file when refused for good, else to the spool. */
    private void failed(Connection connection, String id, byte[] data, Throwable failure) {
        Exception e = failure instanceof Exception ex ? ex : new IllegalStateException(failure);
        PublishRejection kind = PublishRejection.of(e);
        if (kind == PublishRejection.FINAL) {
            deadLetter(connection, id, data, new Refused(kind, PublishRejection.code(e), describe(e)));
            return;
        }
        toSpool(id, data, kind == PublishRejection.TRANSIENT ? "publishing to JetStream failed: " + describe(e)
                : "JetStream refused it: " + describe(e));
    }

    /** The JetStream API error in {@code t}'s causes (jnats wraps it in a RuntimeException), else what is inside the future's wrapper. */
    private static Throwable unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof JetStreamApiException) {
                return c;
            }
        }
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private void settled(String run) {
        window.release();
        runSettled(run);
    }

    private void runSettled(String run) {
        if (inFlight.computeIfPresent(run, (k, n) -> n > 1 ? n - 1 : null) == null) {
            synchronized (durableSignal) {
                durableSignal.notifyAll();
            }
        }
    }

    private static String runKey(AssessmentResult result) {
        return result.runId() == null ? "" : result.runId();
    }

    /**
     * Waits until every result of {@code runId} given to {@link #publish} is acked by JetStream, in the spool or the
     * dead-letter file, or counted as lost: at most about {@link #DIRECT_ACK_TIMEOUT} plus the spool's writes. Not
     * cut short by an interrupt (kept for the caller).
     */
    @Override
    public void awaitDurable(String runId) {
        String run = runId == null ? "" : runId;
        boolean interrupted = false;
        synchronized (durableSignal) {
            while (inFlight.containsKey(run)) {
                try {
                    durableSignal.wait(100); // settled() notifies; the timeout only guards against a missed wake-up
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until no result is in flight (every one acked, spooled, dead-lettered or lost); true if so. For tests and close. */
    public boolean awaitInFlight(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (durableSignal) {
            while (!inFlight.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                durableSignal.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
            }
        }
        return true;
    }

    /** Results sent to JetStream and not yet acked, spooled or dead-lettered. */
    public int inFlight() {
        return WINDOW - window.availablePermits();
    }

    /**
     * The Nats-Msg-Id for a result: its id when that is a valid header value (printable ASCII, at most
     * {@value #MAX_MSG_ID} characters), else the SHA-256 of the id (of the payload when there is no id), in hex.
     */
    static String msgId(String resultId, byte[] payload) {
        if (resultId == null || resultId.isEmpty()) {
            return sha256(payload);
        }
        if (resultId.length() <= MAX_MSG_ID && resultId.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            return resultId;
        }
        return sha256(resultId.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Results waiting in the spool. */
    public long pending() {
        return spool.count();
    }

    /** Published and acked without the spool (counted when the ack arrives). */
    public long publishedDirect() {
        return publishedDirect.sum();
    }

    /** Published (and acked) by the drainer from the spool. */
    public long publishedFromSpool() {
        return publishedFromSpool.sum();
    }

    /** Written to the spool instead of JetStream: by {@link #publish}, or after its asynchronous publish failed. */
    public long spooled() {
        return spooled.sum();
    }

    /** Results refused for good and written to the dead-letter file. */
    public long deadLettered() {
        return deadLettered.sum();
    }

    /** Results the spool could not take (disk full, I/O error) while JetStream could not take them either. */
    public long notSpooled() {
        return notSpooled.sum();
    }

    /**
     * Dropped: not serializable, not spooled (see {@link #notSpooled}), not dead-lettered when they had to be,
     * published after close, or dropped by the spool's size limit.
     */
    public long lost() {
        return lost.sum() + spool.dropped();
    }

    public ResultSpool spool() {
        return spool;
    }

    /** Waits until no result is in flight and the spool is empty; true if so. For a graceful stop and for tests. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!awaitInFlight(timeout)) { // a result in flight may still go to the spool
            return false;
        }
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
        try {
            // results in flight are acked or spooled (the spool is still open) before anything stops
            if (!awaitInFlight(DIRECT_ACK_TIMEOUT.plusSeconds(10))) {
                log.warn("result sink closing with {} results still in flight", inFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fallback.shutdown();
        try {
            fallback.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.removeListener(onConnected);
        wake.release();
        drainer.interrupt(); // safe: the drainer does no file I/O of its own (the spool's thread does)
        try {
            drainer.join(TimeUnit.SECONDS.toMillis(10) + ackTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long left = spool.count();
        if (left > 0) {
            log.warn("result sink closed with {} results in the spool {}; they are published after the next start",
                    left, spool.dir());
        }
        spool.close();
        synchronized (drainedSignal) {
            drainedSignal.notifyAll();
        }
    }

    // ---- publishing

    private void publishNow(Connection connection, String id, byte[] data, Duration timeout) throws IOException,
            JetStreamApiException, Refused, InterruptedException, TimeoutException {
        checkSize(connection, data);
        try {
            jetStream(connection, timeout).publish(SUBJECT, null, data, PublishOptions.builder().messageId(id).build());
        } catch (IllegalArgumentException | JetStreamApiException e) {
            PublishRejection kind = PublishRejection.of(e);
            if (kind == PublishRejection.TRANSIENT && e instanceof JetStreamApiException api) {
                throw api;
            }
            throw new Refused(kind, PublishRejection.code(e), describe(e));
        }
    }

    /** Refused before sending: the server would answer a max_payload violation by closing the connection. */
    private static void checkSize(Connection connection, byte[] data) throws Refused {
        long max = connection.getMaxPayload();
        if (max > 0 && data.length + HEADER_ROOM > max) {
            throw new Refused(PublishRejection.FINAL, null, "it has " + data.length
                    + " bytes, more than the NATS server's max_payload of " + max + " (less " + HEADER_ROOM + " for headers)");
        }
    }

    /** The context for asynchronous publishes (their ack wait is {@link #DIRECT_ACK_TIMEOUT}, applied by the sink). */
    private JetStream jetStream(Connection connection) throws IOException {
        return jetStream(connection, DIRECT_ACK_TIMEOUT);
    }

    /**
     * A JetStream context whose request timeout is {@code timeout}: jnats' synchronous publish waits for the ack as
     * long as the context's request timeout and ignores {@code PublishOptions.streamTimeout} (checked with 2.21.1), so
     * the short wait of a run and the long one of the drainer need a context each.
     */
    private JetStream jetStream(Connection connection, Duration timeout) throws IOException {
        JetStreamRef ref = jetStream;
        if (ref == null || ref.connection() != connection) {
            ref = new JetStreamRef(connection,
                    connection.jetStream(JetStreamOptions.builder().requestTimeout(DIRECT_ACK_TIMEOUT).build()),
                    connection.jetStream(jsOptions));
            jetStream = ref;
        }
        return timeout.equals(DIRECT_ACK_TIMEOUT) ? ref.direct() : ref.drain();
    }

    /** Appends to the spool (durable when it returns, or counted as lost). */
    private void toSpool(String id, byte[] data, String reason) {
        try {
            spool.append(id, data);
        } catch (RuntimeException e) {
            notSpooled.increment();
            lostResult(id, "NATS cannot take it (" + reason + ") and the spool " + spool.dir() + " cannot either: " + e.getMessage());
            return;
        }
        spooled.increment();
        synchronized (state) {
            if (!spooling) {
                spooling = true;
                spoolingSince = System.nanoTime();
                log.warn("results now go to the spool {} until JetStream takes them again: {}", spool.dir(), reason);
            }
        }
        kick();
    }

    /** A result refused for good, from {@link #publish}: to the dead-letter file, durably. */
    private void deadLetter(Connection connection, String id, byte[] data, Refused why) {
        try {
            spool.deadLetter(id, why.getMessage(), why.code, data);
        } catch (RuntimeException e) {
            lostResult(id, "JetStream refused it for good (" + why.getMessage() + ") and the dead-letter file "
                    + spool.deadLetterFile() + " cannot be written: " + e.getMessage());
            return;
        }
        deadLettered(connection, id, data.length, why);
    }

    /** Counts, logs (at most one line per 10 s) and announces a result now in the dead-letter file. */
    private void deadLettered(Connection connection, String id, int size, Refused why) {
        deadLettered.increment();
        synchronized (state) {
            long now = System.nanoTime();
            if (lastDeadLog == 0 || now - lastDeadLog > ERROR_LOG_INTERVAL_NS) {
                lastDeadLog = now;
                var line = log.atError().addKeyValue("resultId", id).addKeyValue("reason", why.getMessage());
                if (why.code != null) {
                    line = line.addKeyValue("code", why.code);
                }
                line.addKeyValue("size", size).addKeyValue("deadLettered", deadLettered.sum())
                        .addKeyValue("file", spool.deadLetterFile())
                        .log("result refused by JetStream for good, kept in the dead-letter file");
            }
        }
        announce(connection, id, size, why);
    }

    /** A small notice on {@value #DEAD_SUBJECT} (never the payload); best effort. */
    private void announce(Connection connection, String id, int size, Refused why) {
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            return;
        }
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                g.writeStringField("resultId", id);
                g.writeStringField("reason", why.getMessage());
                if (why.code != null) {
                    g.writeNumberField("code", why.code);
                }
                g.writeNumberField("size", size);
                g.writeStringField("time", Instant.now().toString());
                g.writeStringField("runtime", link.name());
                g.writeStringField("file", spool.deadLetterFile().toString());
                g.writeEndObject();
            }
            connection.publish(DEAD_SUBJECT, out.toByteArray());
        } catch (IOException | RuntimeException e) {
            log.debug("dead-letter notice for {} not published: {}", id, e.toString());
        }
    }

    /** At most one ERROR line every 10 s; the counter says how many. */
    private void lostResult(String id, String why) {
        lost.increment();
        synchronized (state) {
            long now = System.nanoTime();
            if (lastLostLog == 0 || now - lastLostLog > ERROR_LOG_INTERVAL_NS) {
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
        String unknownId = null;
        int unknownAttempts = 0;
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
                        publishNow(connection, e.msgId(), e.data(), ackTimeout);
                        publishedFromSpool.increment();
                        drained++;
                        spool.remove(e);
                    } catch (Refused r) {
                        boolean give = r.kind == PublishRejection.FINAL;
                        if (r.kind == PublishRejection.UNKNOWN) {
                            unknownAttempts = e.msgId().equals(unknownId) ? unknownAttempts + 1 : 1;
                            unknownId = e.msgId();
                            give = unknownAttempts >= PublishRejection.UNKNOWN_ATTEMPTS;
                        }
                        if (!give) {
                            if (r.kind == PublishRejection.STREAM_MISSING) {
                                lastStreamCheck = 0;
                            }
                            throw r; // retried with backoff
                        }
                        Refused finalWhy = r.kind == PublishRejection.FINAL ? r
                                : new Refused(PublishRejection.FINAL, r.code, "refused " + unknownAttempts + " times: " + r.getMessage());
                        try {
                            spool.deadLetter(e, finalWhy.getMessage(), finalWhy.code);
                        } catch (RuntimeException io) {
                            // stays in the spool: nothing is removed that is not kept elsewhere
                            throw new IOException("cannot write the dead-letter file " + spool.deadLetterFile() + ": "
                                    + io.getMessage(), io);
                        }
                        deadLettered(connection, e.msgId(), e.data().length, finalWhy);
                    }
                }
                backoff = MIN_BACKOFF_MS;
                failingSince = 0;
                if (spool.isEmpty()) {
                    spool.commit();
                    synchronized (state) {
                        if (spooling) {
                            spooling = false;
                            log.info("result spool drained: {} results published to JetStream stream {} after {} s in the spool",
                                    drained, settings.resultsStream(),
                                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - spoolingSince));
                            drained = 0;
                        }
                    }
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
