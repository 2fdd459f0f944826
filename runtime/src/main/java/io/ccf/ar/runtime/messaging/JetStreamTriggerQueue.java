package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.PublishAck;

/**
 * A {@link TriggerQueue} on a JetStream work queue, so several runtimes share one schedule: every runtime runs the
 * same cron schedules and publishes every fire ({@link TriggerPublisher}); JetStream keeps one copy per (job, fire
 * time) within the stream's duplicate window, and the shared durable consumer ({@link TriggerConsumer}) hands each
 * stored trigger to one runtime, which acknowledges it when the run is over.
 *
 * <p><b>When the shared schedule cannot take a fire</b> (NATS disconnected, JetStream without a leader, no ack) for
 * {@code nats.localFallbackAfter} after its fire time, this runtime runs the fire itself, at once, and its results go
 * to the spool like any other; from then on it runs its own fires locally (state {@link Mode#LOCAL}, logged once)
 * while a probe asks JetStream every second, and goes back to the shared schedule ({@link Mode#SHARED}) when it
 * answers. A fire run locally is recorded ({@link FireLedger}); if its trigger reaches the stream after all (a publish
 * whose ack was lost) and comes back to this runtime, it is acknowledged without running again. Several runtimes cut
 * off at once each run the fire: at least once, and the results carry the fire id and ids derived from it, so the
 * copies collapse in JetStream's duplicate window and are recognisable after it.
 *
 * <p>{@link #close} stops publishing, probing and fetching; triggers already handed to the handler are acknowledged
 * when their stage completes, as long as the connection is open. The queue never closes the connection.
 */
public final class JetStreamTriggerQueue implements TriggerQueue {
    private static final Logger log = LoggerFactory.getLogger(JetStreamTriggerQueue.class);

    /** Where triggers are published. */
    public static final String SUBJECT = TriggerCodec.SUBJECT;
    /** What the schedule stream captures. */
    public static final String STREAM_SUBJECTS = StreamSetup.SCHEDULE_SUBJECTS;
    /** The durable pull consumer every runtime shares. */
    public static final String DURABLE = StreamSetup.SCHEDULE_CONSUMER;
    /** How long one pull waits for triggers: bounds how long {@link #close} waits for the fetch thread. */
    public static final long FETCH_WAIT_MILLIS = TriggerConsumer.FETCH_WAIT_MILLIS;
    private static final long PROBE_INTERVAL_MILLIS = 1_000;

    /** Where this runtime's fires go. */
    public enum Mode {
        /** Published to the shared schedule; one runtime runs each. */
        SHARED,
        /** The shared schedule did not take a fire in time: this runtime runs its own fires until it does again. */
        LOCAL
    }

    private final Connection connection;
    private final NatsSettings settings;
    private final String runtimeId;
    private final Clock clock;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final TriggerPublisher publisher;
    private final FireLedger ledger;
    /** Fires wait at most this long after their fire time for the shared schedule before running here. */
    private final Duration fallbackAfter;
    private final UntakenFireWatch untaken;

    private final Object lock = new Object();
    // Guarded by lock.
    private TriggerHandler handler;
    private TriggerConsumer consumer;
    private ScheduledExecutorService prober;

    private volatile boolean closed;
    private final AtomicReference<LocalSpell> local = new AtomicReference<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder ranLocally = new LongAdder();
    private final LongAdder ranUntaken = new LongAdder();

    /** A period in LOCAL mode: since when, why, fires run here. */
    private record LocalSpell(Instant since, String reason, AtomicLong fires) {
    }

    /**
     * Makes sure the schedule stream and the shared consumer exist ({@link StreamSetup}), without subscribing yet.
     *
     * @throws IllegalStateException if they cannot be set up (NATS down, no JetStream, more replicas than servers)
     */
    public JetStreamTriggerQueue(Connection connection, NatsSettings settings, String runtimeId, Clock clock) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.runtimeId = Objects.requireNonNull(runtimeId, "runtimeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        // retries stay inside the misfire deadline and half the duplicate window, so late copies are still deduplicated
        Duration limit = min(settings.misfireDeadline(), settings.duplicateWindow().dividedBy(2));
        this.fallbackAfter = min(settings.localFallbackAfter(), limit);
        // a trigger can be delivered until every delivery timed out; keep what ran here at least that long
        this.ledger = new FireLedger(settings.misfireDeadline().plus(settings.ackWait().multipliedBy(settings.maxDeliver()))
                .plus(settings.duplicateWindow()), clock);
        try {
            this.jetStream = connection.jetStream();
            this.management = connection.jetStreamManagement();
            StreamSetup.ensureScheduleStream(connection, settings);
            StreamSetup.ensureScheduleConsumer(management, settings);
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("cannot set up the schedule stream " + settings.scheduleStream()
                    + " and its consumer " + DURABLE + ": " + e.getMessage(), e);
        }
        this.publisher = new TriggerPublisher(connection, jetStream, settings.scheduleStream(), clock);
        this.untaken = new UntakenFireWatch(connection, takeDeadline(settings, fallbackAfter), clock, this::runUntaken);
    }

    /**
     * How long after its fire time a stored fire may stay untaken before the runtime that stored it runs it: half the
     * misfire deadline (the run still starts before the fire would count as misfired), at least the local fallback
     * plus two seconds.
     */
    static Duration takeDeadline(NatsSettings settings, Duration fallbackAfter) {
        Duration half = settings.misfireDeadline().dividedBy(2);
        Duration floor = fallbackAfter.plusSeconds(2);
        return half.compareTo(floor) >= 0 ? half : floor;
    }

    // ---- publishing

    /**
     * Publishes the trigger without waiting; if the shared schedule does not take it within localFallbackAfter of its
     * fire time (or this runtime is running locally already), the fire runs here instead (see the class comment).
     *
     * @throws IllegalStateException if the queue is closed
     */
    @Override
    public void publish(Trigger trigger) {
        publishAsync(trigger);
    }

    /**
     * As {@link #publish}; the future completes with JetStream's ack ({@link PublishAck#isDuplicate()} when another
     * runtime stored the same fire first), or exceptionally when the trigger was not stored, in which case the fire
     * ran here (or the queue was closed meanwhile).
     *
     * @throws IllegalStateException if the queue is closed
     */
    public CompletableFuture<PublishAck> publishAsync(Trigger trigger) {
        Objects.requireNonNull(trigger, "trigger");
        if (closed) {
            throw new IllegalStateException("trigger queue is closed");
        }
        LocalSpell spell = local.get();
        if (spell != null) {
            runLocally(trigger, spell);
            return CompletableFuture.failedFuture(new IllegalStateException("the shared schedule is unavailable since "
                    + spell.since() + "; the fire ran on this runtime"));
        }
        return publisher.publish(trigger, trigger.fireTime().plus(fallbackAfter)).whenComplete((ack, failure) -> {
            if (failure == null) {
                published.increment();
                if (!ack.isDuplicate()) {
                    untaken.expect(trigger); // this runtime stored it: it sees that a runtime takes it
                }
                logPublished(trigger, ack);
            } else if (closed) {
                log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                        .addKeyValue("fireTime", trigger.fireTime())
                        .addKeyValue("reason", TriggerPublisher.unwrap(failure).getMessage())
                        .log("trigger not published before the runtime stopped; the other runtimes publish it");
            } else {
                runLocally(trigger, goLocal(TriggerPublisher.unwrap(failure).getMessage()));
            }
        });
    }

    private static void logPublished(Trigger trigger, PublishAck ack) {
        log.atDebug().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                .addKeyValue("seq", ack.getSeqno()).addKeyValue("duplicate", ack.isDuplicate())
                .log(ack.isDuplicate() ? "trigger already published (by another runtime)" : "trigger published");
    }

    /** Enters LOCAL mode (once per spell: one log line, the probe started). */
    private LocalSpell goLocal(String reason) {
        LocalSpell fresh = new LocalSpell(clock.instant(), reason, new AtomicLong());
        if (local.compareAndSet(null, fresh)) {
            log.atError().addKeyValue("runtime", runtimeId).addKeyValue("reason", reason)
                    .addKeyValue("fallbackAfterMs", fallbackAfter.toMillis())
                    .log("the shared schedule did not take a fire in time: this runtime runs its own fires until"
                            + " JetStream answers again; results wait in the spool");
            startProbe();
            // fires still waiting for the shared schedule run now, in fire-time order, not each at its own deadline
            CompletableFuture.runAsync(() -> publisher.abandonPending("the shared schedule is unavailable since "
                    + fresh.since() + " (" + reason + ")"));
            return fresh;
        }
        LocalSpell current = local.get();
        return current != null ? current : fresh;
    }

    private void runLocally(Trigger trigger, LocalSpell spell) {
        TriggerHandler h;
        synchronized (lock) {
            h = handler;
        }
        if (h == null || closed) {
            log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                    .addKeyValue("fireTime", trigger.fireTime())
                    .log("fire not run: the shared schedule is unavailable and this runtime takes no triggers");
            return;
        }
        ranLocally.increment();
        spell.fires().incrementAndGet();
        log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                .addKeyValue("fireTime", trigger.fireTime()).addKeyValue("fire", trigger.fireId())
                .log("fire runs on this runtime: the shared schedule is unavailable");
        runHere(h, trigger);
    }

    /** A fire this runtime stored that no runtime took in time ({@link UntakenFireWatch}): it runs here. */
    private void runUntaken(Trigger trigger) {
        TriggerHandler h;
        synchronized (lock) {
            h = handler;
        }
        if (h == null || closed || ledger.contains(trigger)) {
            return;
        }
        ranUntaken.increment();
        runHere(h, trigger);
    }

    private void runHere(TriggerHandler h, Trigger trigger) {
        ledger.record(trigger);
        untaken.announce(trigger);
        try {
            CompletionStage<?> stage = h.handle(trigger);
            if (stage != null) {
                stage.whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        log.atWarn().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                                .addKeyValue("reason", TriggerPublisher.unwrap(failure).getMessage())
                                .log("local run of the fire did not complete");
                    }
                });
            }
        } catch (RuntimeException e) {
            log.atError().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .setCause(e).log("the trigger handler failed on a local fire");
        }
    }

    private void startProbe() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (prober == null) {
                prober = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "schedule-probe");
                    t.setDaemon(true);
                    return t;
                });
            }
            prober.schedule(this::probe, PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** While LOCAL: does JetStream answer for the schedule stream? Then back to SHARED; else ask again later. */
    private void probe() {
        LocalSpell spell = local.get();
        if (spell == null || closed) {
            return;
        }
        boolean answers = false;
        String reason = "the NATS connection is " + connection.getStatus();
        if (connection.getStatus() == Connection.Status.CONNECTED) {
            try {
                management.getStreamInfo(settings.scheduleStream());
                answers = true;
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                reason = e.getMessage();
            }
        }
        if (answers && local.compareAndSet(spell, null)) {
            log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("since", spell.since())
                    .addKeyValue("localFires", spell.fires().get())
                    .addKeyValue("seconds", Duration.between(spell.since(), clock.instant()).toSeconds())
                    .log("the shared schedule answers again: fires go to it from now on");
            return;
        }
        log.atDebug().addKeyValue("reason", reason).log("the shared schedule is still unavailable");
        synchronized (lock) {
            if (!closed && prober != null) {
                prober.schedule(this::probe, PROBE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    // ---- consuming

    /**
     * Sets the handler and starts taking triggers from the shared consumer.
     *
     * @throws IllegalStateException if a handler is already set or the queue is closed
     */
    @Override
    public void subscribe(TriggerHandler handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("trigger queue is closed");
            }
            if (this.handler != null) {
                throw new IllegalStateException("trigger queue already has a handler");
            }
            this.handler = handler;
            consumer = new TriggerConsumer(connection, jetStream, management, settings, runtimeId, clock, handler, ledger,
                    untaken::announce);
            consumer.start();
            untaken.start();
        }
        log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("stream", settings.scheduleStream())
                .addKeyValue("consumer", DURABLE).addKeyValue("ackWaitMs", settings.ackWait().toMillis())
                .addKeyValue("maxDeliver", settings.maxDeliver())
                .addKeyValue("localFallbackAfterMs", fallbackAfter.toMillis())
                .log("taking triggers from the shared schedule");
    }

    /**
     * Stops publishing, probing and fetching (waits for the fetch thread, about {@value #FETCH_WAIT_MILLIS} ms at
     * most). Triggers in progress keep their heartbeat and are acknowledged (or given back) when their stage
     * completes, while the connection is open. Idempotent.
     */
    @Override
    public void close() {
        TriggerConsumer c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            c = consumer;
            if (prober != null) {
                prober.shutdownNow();
            }
        }
        publisher.close();
        untaken.close();
        if (c != null) {
            c.close();
        }
        log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("inProgress", inProgress())
                .log("trigger queue closed");
    }

    // ---- state, for the daemon's logs and for tests

    public Mode mode() {
        return local.get() == null ? Mode.SHARED : Mode.LOCAL;
    }

    /** Triggers stored in the stream by this runtime's publishes (including duplicates of other runtimes' copies). */
    public long published() {
        return published.sum();
    }

    /** Fires this runtime ran itself because the shared schedule did not take them. */
    public long ranLocally() {
        return ranLocally.sum();
    }

    /** Fires this runtime stored that no runtime took within the take deadline, so they ran here. */
    public long ranUntaken() {
        return ranUntaken.sum();
    }

    /**
     * Triggers delivered for fires this runtime had already run, or was running, acknowledged (or joined to the
     * running delivery) without a second run.
     */
    public long alreadyRunHere() {
        TriggerConsumer c = currentConsumer();
        return c == null ? 0 : c.alreadyRunHere();
    }

    /** Acknowledgements sent again because JetStream did not confirm the first (a consumer leader change). */
    public long acksResent() {
        TriggerConsumer c = currentConsumer();
        return c == null ? 0 : c.ackResent();
    }

    /** Triggers handed to the handler whose stage has not completed. */
    int inProgress() {
        TriggerConsumer c = currentConsumer();
        return c == null ? 0 : c.inProgress();
    }

    /** Whether the heartbeat thread has stopped (only after close, once nothing is in progress). */
    boolean heartbeatsStopped() {
        TriggerConsumer c = currentConsumer();
        return c == null || c.heartbeatsStopped();
    }

    private TriggerConsumer currentConsumer() {
        synchronized (lock) {
            return consumer;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    // ---- the wire format, for tests and tools

    static String messageId(Trigger trigger) {
        return TriggerCodec.messageId(trigger);
    }

    static byte[] body(Trigger trigger) {
        return TriggerCodec.body(trigger);
    }

    static Trigger parse(byte[] body) {
        return TriggerCodec.parse(body);
    }
}
