package io.ccf.ar.runtime.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.run.RunOutcome;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;

/**
 * Takes triggers from the shared schedule consumer and hands them to the handler, as many as the handler has room for
 * ({@link TriggerHandler#room()}), so a busy runtime leaves the rest in the stream for the others.
 *
 * <p>Per delivered trigger (one consumer, so in stream order):
 * <ul>
 *   <li>a body that is not a trigger is logged and terminated (never delivered again);</li>
 *   <li>a fire this runtime already ran ({@link FireLedger}) is acknowledged without running it again;</li>
 *   <li>on its first delivery, a trigger more than misfireDeadline past its fire time is acknowledged and logged as
 *       {@link RunOutcome#MISFIRED}, not handled. A redelivery is handled however late it is: a runtime took it in
 *       time and did not finish it;</li>
 *   <li>otherwise the handler gets it; its stage completing normally acknowledges it, exceptionally (or the handler
 *       throwing) gives it back at once ({@code nak}) for another delivery, here or on another runtime.</li>
 * </ul>
 * A trigger in progress gets an in-progress heartbeat every ackWait/3, so a runtime that dies mid-run stops
 * heartbeating and JetStream redelivers its trigger after ackWait.
 *
 * <p>Threads: {@code trigger-fetch} pulls small batches with a bounded wait; {@code trigger-heartbeat} sends the
 * heartbeats. Acks come from whichever thread completes the handler's stage. {@link #close} stops fetching within about
 * {@value #FETCH_WAIT_MILLIS} ms; triggers already handed on keep their heartbeat and are acknowledged when their
 * stage completes, as long as the connection is open.
 */
final class TriggerConsumer {
    private static final Logger log = LoggerFactory.getLogger(TriggerConsumer.class);
    /** Triggers per pull, at most. */
    static final int BATCH = 8;
    /** How long one pull waits for triggers: bounds how long {@link #close} waits for the fetch thread. */
    static final long FETCH_WAIT_MILLIS = 1_000;
    private static final long FETCH_RETRY_MILLIS = 1_000;
    private static final int MAX_LOGGED_BODY = 200;
    /** How long one acknowledgement waits for JetStream's confirmation before it is sent again. */
    static final Duration ACK_CONFIRM_TIMEOUT = Duration.ofSeconds(1);
    private static final long ACK_RETRY_MILLIS = 250;
    private static final byte[] ACK = "+ACK".getBytes(StandardCharsets.US_ASCII);

    private final Connection connection;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final NatsSettings settings;
    private final String runtimeId;
    private final Clock clock;
    private final TriggerHandler handler;
    private final FireLedger ledger;
    private final java.util.function.Consumer<Trigger> onTaken;
    private final long heartbeatMillis;
    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread fetchThread;
    private final ScheduledThreadPoolExecutor heartbeats;
    private final LongAdder alreadyRunHere = new LongAdder();
    private final LongAdder misfired = new LongAdder();
    private final LongAdder givenBack = new LongAdder();
    private final LongAdder ackResent = new LongAdder();
    private volatile boolean closed;

    /** One delivery handed to the handler; identity equality (two deliveries of one trigger are two entries). */
    private static final class InFlight {
        /** The latest delivery of the trigger: heartbeats, the ack and a nak go to it. */
        volatile Message message;
        final Trigger trigger;
        final java.util.concurrent.atomic.AtomicBoolean finished = new java.util.concurrent.atomic.AtomicBoolean();
        volatile boolean heartbeatFailed;

        InFlight(Message message, Trigger trigger) {
            this.message = message;
            this.trigger = trigger;
        }
    }

    TriggerConsumer(Connection connection, JetStream jetStream, JetStreamManagement management, NatsSettings settings,
                    String runtimeId, Clock clock, TriggerHandler handler, FireLedger ledger,
                    java.util.function.Consumer<Trigger> onTaken) {
        this.connection = connection;
        this.jetStream = jetStream;
        this.management = management;
        this.settings = settings;
        this.runtimeId = runtimeId;
        this.clock = clock;
        this.handler = handler;
        this.ledger = ledger;
        this.onTaken = onTaken;
        this.heartbeatMillis = Math.max(100, settings.ackWait().toMillis() / 3);
        this.heartbeats = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "trigger-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeats.setRemoveOnCancelPolicy(true);
        this.fetchThread = new Thread(this::fetchLoop, "trigger-fetch");
        fetchThread.setDaemon(true);
    }

    void start() {
        heartbeats.scheduleWithFixedDelay(this::sendHeartbeats, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
        fetchThread.start();
    }

    private void fetchLoop() {
        JetStreamSubscription subscription = null;
        boolean failing = false;
        try {
            while (!closed) {
                try {
                    int room = handler.room();
                    if (room <= 0) { // full: leave the triggers to the other runtimes until a run ends
                        handler.awaitRoom(Duration.ofMillis(FETCH_WAIT_MILLIS));
                        continue;
                    }
                    if (subscription == null) {
                        subscription = jetStream.subscribe(null,
                                PullSubscribeOptions.bind(settings.scheduleStream(), StreamSetup.SCHEDULE_CONSUMER));
                    }
                    // iterate, not fetch: each trigger is handed on as it arrives, not when the batch is full
                    Iterator<Message> batch = subscription.iterate(Math.min(BATCH, room),
                            Duration.ofMillis(FETCH_WAIT_MILLIS));
                    while (batch.hasNext()) {
                        Message message = batch.next();
                        if (closed) {
                            giveBack(message); // the runtime is stopping: another one takes it now
                        } else {
                            deliver(message);
                        }
                    }
                    if (failing) {
                        failing = false;
                        log.atInfo().addKeyValue("runtime", runtimeId).log("fetching triggers works again");
                    }
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) { // the loop must survive whatever one pull does
                    if (closed) {
                        break;
                    }
                    if (connection.getStatus() == Connection.Status.CLOSED) {
                        log.atWarn().addKeyValue("runtime", runtimeId)
                                .log("the NATS connection is closed: this runtime takes no more triggers");
                        return;
                    }
                    if (!failing) {
                        failing = true;
                        log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("reason", e.toString())
                                .log("fetching triggers failed; retrying every " + FETCH_RETRY_MILLIS + " ms");
                    }
                    // Pull again on a fresh binding, recreating the stream or the consumer if an operator deleted them.
                    unsubscribeQuietly(subscription);
                    subscription = null;
                    try {
                        StreamSetup.ensureScheduleStream(connection, settings);
                        StreamSetup.ensureScheduleConsumer(management, settings);
                    } catch (Exception again) {
                        log.atDebug().addKeyValue("reason", again.toString())
                                .log("the schedule stream or consumer is not available yet");
                    }
                    if (closing.await(FETCH_RETRY_MILLIS, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unsubscribeQuietly(subscription);
        }
    }

    /** One delivered message: parse, already run here, misfire check, handler, heartbeat until its stage completes. */
    private void deliver(Message message) {
        Trigger trigger;
        try {
            trigger = TriggerCodec.parse(message.getData());
        } catch (IllegalArgumentException malformed) {
            log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("subject", message.getSubject())
                    .addKeyValue("seq", sequence(message)).addKeyValue("problem", malformed.getMessage())
                    .addKeyValue("body", excerpt(message.getData()))
                    .log("malformed trigger dropped");
            quietly(message::term, "term");
            return;
        }
        onTaken.accept(trigger); // whatever happens to it next (run, acked as run here, misfired), it reached a runtime
        if (ledger.contains(trigger)) {
            alreadyRunHere.increment();
            quietly(message::ack, "ack");
            log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                    .addKeyValue("fireTime", trigger.fireTime()).addKeyValue("fire", trigger.fireId())
                    .log("trigger acknowledged without a run: this runtime already ran the fire");
            return;
        }
        if (joinedRunningFire(message, trigger)) {
            return;
        }
        long delivered = deliveredCount(message);
        handler.taken(trigger, delivered);
        Duration lateness = Duration.between(trigger.fireTime(), clock.instant());
        if (delivered <= 1 && lateness.compareTo(settings.misfireDeadline()) > 0) {
            misfired.increment();
            handler.misfired(trigger);
            quietly(message::ack, "ack");
            log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                    .addKeyValue("fireTime", trigger.fireTime()).addKeyValue("latenessMs", lateness.toMillis())
                    .addKeyValue("outcome", RunOutcome.MISFIRED)
                    .log("run misfired: the trigger arrived " + lateness.toMillis() + " ms after its fire time,"
                            + " past the misfire deadline of " + settings.misfireDeadline().toMillis() + " ms");
            return;
        }
        if (delivered > 1) {
            log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                    .addKeyValue("fireTime", trigger.fireTime()).addKeyValue("delivery", delivered)
                    .log("trigger redelivered: the runtime that had it did not finish it");
        }
        InFlight entry = new InFlight(message, trigger);
        inFlight.add(entry);
        CompletionStage<?> stage;
        try {
            stage = handler.handle(trigger);
        } catch (RuntimeException e) {
            log.atError().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .setCause(e).log("the trigger handler failed; the trigger is given back");
            finish(entry, e);
            return;
        }
        if (stage == null) {
            finish(entry, null);
        } else {
            stage.whenComplete((result, failure) -> finish(entry, failure));
        }
    }

    /**
     * A delivery of a fire this runtime is running now is not run a second time behind it. JetStream redelivers a
     * trigger whose in-progress heartbeats did not reach it within ackWait (NATS away during a long run): the running
     * entry takes the new delivery, so its heartbeats and final ack or nak answer for it. Another stored copy of the
     * fire (published after the duplicate window) is acknowledged at once: the running delivery answers for the fire.
     */
    private boolean joinedRunningFire(Message message, Trigger trigger) {
        InFlight running = null;
        for (InFlight e : inFlight) {
            if (!e.finished.get() && e.trigger.equals(trigger)) {
                running = e;
                break;
            }
        }
        if (running == null) {
            return false;
        }
        alreadyRunHere.increment();
        boolean sameMessage = sequence(message).equals(sequence(running.message));
        if (sameMessage) {
            running.message = message;
        } else {
            quietly(message::ack, "ack");
        }
        log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                .addKeyValue("fireTime", trigger.fireTime()).addKeyValue("fire", trigger.fireId())
                .addKeyValue("delivery", deliveredCount(message))
                .log(sameMessage ? "trigger redelivered while this runtime is running the fire: the run goes on and"
                        + " answers for this delivery" : "another copy of a fire this runtime is running acknowledged"
                        + " without a second run");
        return true;
    }

    /** The handler's stage completed: ack (done) or nak (not dealt with here). */
    private void finish(InFlight entry, Throwable failure) {
        if (!entry.finished.compareAndSet(false, true)) {
            return;
        }
        if (failure == null) {
            ledger.record(entry.trigger); // a redelivery (the ack lost with the connection) is not run again here
            // stays in flight (heartbeats go on) until JetStream confirms the ack
            acknowledge(entry, 1, System.nanoTime() + confirmWindowNanos());
        } else {
            inFlight.remove(entry);
            givenBack.increment();
            log.atInfo().addKeyValue("job", entry.trigger.jobId()).addKeyValue("fireTime", entry.trigger.fireTime())
                    .addKeyValue("reason", String.valueOf(TriggerPublisher.unwrap(failure).getMessage()))
                    .log("trigger given back to the shared schedule for another delivery");
            giveBack(entry.message);
            stopHeartbeatsIfDone();
        }
    }

    /**
     * Acknowledges a finished trigger and waits (asynchronously) for JetStream's confirmation, sending it again until
     * one comes: a plain ack is fire-and-forget, and one lost while the consumer's leader changes makes JetStream
     * deliver the fire again after ackWait, to a runtime that has not run it. Until confirmed, the trigger keeps its
     * in-progress heartbeat. Gives up (WARN) when the connection is closed or after ackWait x maxDeliver, when every
     * redelivery JetStream would make has happened anyway.
     */
    private void acknowledge(InFlight entry, int attempt, long giveUpAt) {
        boolean connectionClosed = connection.getStatus() == Connection.Status.CLOSED;
        if (connectionClosed || System.nanoTime() > giveUpAt) {
            inFlight.remove(entry);
            // closed (the runtime stopping) after the ack went out: it most likely arrived, only its answer did not
            (connectionClosed && attempt > 1 ? log.atInfo() : log.atWarn()).addKeyValue("runtime", runtimeId)
                    .addKeyValue("job", entry.trigger.jobId()).addKeyValue("fireTime", entry.trigger.fireTime())
                    .addKeyValue("attempts", attempt - 1)
                    .log("JetStream did not confirm the trigger's acknowledgement; it may deliver the fire again");
            stopHeartbeatsIfDone();
            return;
        }
        if (attempt > 1) {
            ackResent.increment();
        }
        CompletableFuture<Message> reply;
        if (connection.getStatus() != Connection.Status.CONNECTED || entry.message.getReplyTo() == null) {
            reply = CompletableFuture.failedFuture(new IllegalStateException("not connected"));
        } else {
            try {
                reply = connection.requestWithTimeout(entry.message.getReplyTo(), ACK, ACK_CONFIRM_TIMEOUT);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
        }
        reply.whenComplete((answer, failure) -> {
            if (failure == null && answer != null && !answer.isStatusMessage()) {
                inFlight.remove(entry);
                if (attempt > 1) {
                    log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("job", entry.trigger.jobId())
                            .addKeyValue("fireTime", entry.trigger.fireTime()).addKeyValue("attempts", attempt)
                            .log("trigger acknowledgement confirmed after a retry");
                }
                stopHeartbeatsIfDone();
                return;
            }
            try {
                heartbeats.schedule(() -> acknowledge(entry, attempt + 1, giveUpAt), ACK_RETRY_MILLIS,
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                inFlight.remove(entry); // only after close with nothing else in flight
            }
        });
    }

    private long confirmWindowNanos() {
        return Math.max(TimeUnit.SECONDS.toNanos(5), settings.ackWait().multipliedBy(settings.maxDeliver()).toNanos());
    }

    private void giveBack(Message message) {
        quietly(message::nak, "nak");
    }

    private void sendHeartbeats() {
        for (InFlight entry : inFlight) {
            if (entry.finished.get()) {
                continue; // finished, its ack unconfirmed: heartbeats would only race the ack
            }
            try {
                entry.message.inProgress();
                entry.heartbeatFailed = false;
            } catch (RuntimeException e) { // disconnected: if it lasts past ackWait, JetStream redelivers it
                if (!entry.heartbeatFailed) {
                    entry.heartbeatFailed = true;
                    log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("job", entry.trigger.jobId())
                            .addKeyValue("fireTime", entry.trigger.fireTime()).addKeyValue("reason", e.getMessage())
                            .log("cannot tell JetStream the run is still going; if this lasts past ackWait the"
                                    + " trigger is redelivered");
                }
            }
        }
        stopHeartbeatsIfDone();
    }

    private void stopHeartbeatsIfDone() {
        if (closed && inFlight.isEmpty()) {
            heartbeats.shutdown();
        }
    }

    /** Stops fetching (waits for the fetch thread); triggers in progress keep their heartbeat until their stage ends. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing.countDown();
        if (fetchThread.isAlive() && fetchThread != Thread.currentThread()) {
            try {
                fetchThread.join(FETCH_WAIT_MILLIS + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fetchThread.isAlive()) {
                log.warn("the trigger fetch thread has not stopped; it hands nothing more to the handler");
            }
        }
        stopHeartbeatsIfDone();
    }

    int inProgress() {
        return inFlight.size();
    }

    boolean heartbeatsStopped() {
        return heartbeats.isShutdown();
    }

    long alreadyRunHere() {
        return alreadyRunHere.sum();
    }

    long misfired() {
        return misfired.sum();
    }

    long givenBack() {
        return givenBack.sum();
    }

    /** Acknowledgements sent again because JetStream did not confirm the first. */
    long ackResent() {
        return ackResent.sum();
    }

    // ---- helpers

    /** Ack, nak, term: a failure (the connection closed) only means JetStream redelivers after ackWait. */
    private static void quietly(Runnable ack, String what) {
        try {
            ack.run();
        } catch (RuntimeException e) {
            log.atDebug().addKeyValue("reason", e.getMessage()).log(what + " not sent");
        }
    }

    private static void unsubscribeQuietly(JetStreamSubscription subscription) {
        if (subscription != null) {
            try {
                subscription.unsubscribe();
            } catch (RuntimeException ignored) {
                // already gone with the connection
            }
        }
    }

    private static long deliveredCount(Message message) {
        try {
            return message.metaData().deliveredCount();
        } catch (RuntimeException e) {
            return 1;
        }
    }

    private static Object sequence(Message message) {
        try {
            return message.metaData().streamSequence();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String excerpt(byte[] body) {
        if (body == null) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= MAX_LOGGED_BODY ? text : text.substring(0, MAX_LOGGED_BODY) + "...";
    }
}
