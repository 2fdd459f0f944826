package io.ccf.ar.runtime.messaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.ccf.ar.runtime.config.NatsSettings;
import io.ccf.ar.runtime.run.RunOutcome;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;

/**
 * A {@link TriggerQueue} on a JetStream work queue, so several runtimes share one schedule: every runtime runs the
 * same cron schedules and publishes every fire; JetStream keeps one copy per (job, fire time) (the Nats-Msg-Id
 * {@code <jobId>:<fireTime>} within the stream's duplicate window) and the shared durable pull consumer
 * {@value #DURABLE} hands each stored trigger to one runtime. A trigger is acknowledged when the handler's stage
 * completes, i.e. when the run is over; until then it gets an in-progress heartbeat every ackWait/3, so a runtime
 * that dies (or loses NATS) mid-run stops heartbeating and JetStream redelivers its trigger to another runtime after
 * ackWait, up to maxDeliver deliveries in all.
 *
 * <p>Wire format: subject {@value #SUBJECT}, body {@code {"jobId":"...","fireTime":"<RFC 3339>"}}.
 *
 * <p>Per delivered trigger (one consumer, so in stream order):
 * <ul>
 *   <li>a body that is not such JSON is logged and terminated (never delivered again);</li>
 *   <li>on its first delivery, a trigger more than misfireDeadline past its fire time is acknowledged and logged as
 *       {@link RunOutcome#MISFIRED}, not handled. A redelivery is handled however late it is: a runtime took it in
 *       time and did not finish it (otherwise a runtime dying more than misfireDeadline − ackWait into a run would
 *       have its trigger misfire instead of run again);</li>
 *   <li>otherwise the handler gets it; its stage completing normally acknowledges it, exceptionally (or the handler
 *       throwing) gives it back at once ({@code nak}) for another delivery.</li>
 * </ul>
 *
 * <p>Publishing never blocks the caller (the scheduler thread): JetStream's ack is awaited asynchronously, and a
 * failed attempt (NATS disconnected, a stream leader election, no ack within {@link #PUBLISH_ACK_TIMEOUT}) is retried
 * with backoff until the fire time plus the smaller of misfireDeadline and half the duplicate window; then the fire
 * is dropped with one warning per job per outage. Nothing is buffered in the client while disconnected.
 *
 * <p>Threads: one fetch thread ({@code trigger-fetch}) from {@link #subscribe}, pulling small batches with a bounded
 * wait and handing each trigger on as it arrives; one heartbeat thread ({@code trigger-heartbeat}) for every trigger
 * in progress. Acks are sent from whichever thread completes the handler's stage (a run thread); publish retries are
 * scheduled on {@link CompletableFuture#delayedExecutor}.
 *
 * <p>{@link #close} stops fetching within about {@value #FETCH_WAIT_MILLIS} ms (triggers fetched but not handed to
 * the handler are given back). Triggers already handed to the handler keep their heartbeat and are acknowledged
 * when their stage completes, as long as the connection is open: a runtime that stops gracefully (scheduler, queue,
 * drain the runs, then the connection) finishes its runs and they are not run again elsewhere. Closing the
 * connection instead abandons them: heartbeats and acks stop and JetStream redelivers them after ackWait. The queue
 * never closes the connection.
 */
public final class JetStreamTriggerQueue implements TriggerQueue {
    private static final Logger log = LoggerFactory.getLogger(JetStreamTriggerQueue.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where triggers are published. */
    public static final String SUBJECT = "runtime.schedule.fire";
    /** What the schedule stream captures. */
    public static final String STREAM_SUBJECTS = StreamSetup.SCHEDULE_SUBJECTS;
    /** The durable pull consumer every runtime shares. */
    public static final String DURABLE = "ar-runtime";
    /** The server default (1000) would stall the whole schedule once 1000 runs are in progress in the cluster. */
    static final long MAX_ACK_PENDING = 20_000;
    /** Triggers per pull. */
    static final int BATCH = 8;
    /** How long one pull waits for triggers: bounds how long {@link #close} waits for the fetch thread. */
    static final long FETCH_WAIT_MILLIS = 1_000;
    /** How long one publish attempt waits for JetStream's ack. */
    static final Duration PUBLISH_ACK_TIMEOUT = Duration.ofSeconds(2);
    /** Pause before the first retry of a failed publish; doubled each time up to {@link #MAX_RETRY_DELAY_MILLIS}. */
    private static final long FIRST_RETRY_DELAY_MILLIS = 100;
    private static final long MAX_RETRY_DELAY_MILLIS = 1_000;
    /** Pause after a failed pull, before trying again. */
    private static final long FETCH_RETRY_MILLIS = 1_000;
    private static final int MAX_LOGGED_BODY = 200;

    private final Connection connection;
    private final NatsSettings settings;
    private final String runtimeId;
    private final Clock clock;
    private final JetStream jetStream;
    private final JetStreamManagement management;
    private final long heartbeatMillis;
    /** How long after its fire time a trigger's publish is retried. */
    private final Duration publishRetryWindow;

    private final Object lock = new Object();
    // Guarded by lock.
    private TriggerHandler handler;
    private Thread fetchThread;
    private ScheduledThreadPoolExecutor heartbeats;

    private volatile boolean closed;
    private final CountDownLatch closing = new CountDownLatch(1);
    /** Triggers handed to the handler whose stage has not completed: they get heartbeats. */
    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    /** The publishing outage in progress, if any: jobs already warned about and triggers dropped. */
    private final AtomicReference<Outage> outage = new AtomicReference<>();

    private record InFlight(Message message, Trigger trigger) {
        // identity equality: two deliveries of one trigger are two entries
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private static final class Outage {
        final Instant since;
        final Set<String> warnedJobs = ConcurrentHashMap.newKeySet();
        final AtomicLong dropped = new AtomicLong();

        Outage(Instant since) {
            this.since = since;
        }
    }

    /**
     * Makes sure the schedule stream ({@link StreamSetup#ensureScheduleStream}) and the durable consumer exist
     * (creating them if missing, else reusing them), without subscribing yet.
     *
     * @param connection an open connection; not closed by this queue
     * @param runtimeId  this runtime's id, for logs
     * @param clock      for the misfire deadline
     * @throws IllegalStateException if the stream or the consumer cannot be set up (NATS down, no JetStream, more
     *                               replicas than servers)
     */
    public JetStreamTriggerQueue(Connection connection, NatsSettings settings, String runtimeId, Clock clock) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.runtimeId = Objects.requireNonNull(runtimeId, "runtimeId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.heartbeatMillis = Math.max(100, settings.ackWait().toMillis() / 3);
        Duration halfDuplicateWindow = settings.duplicateWindow().dividedBy(2);
        this.publishRetryWindow = settings.misfireDeadline().compareTo(halfDuplicateWindow) < 0
                ? settings.misfireDeadline() : halfDuplicateWindow;
        try {
            this.jetStream = connection.jetStream();
            this.management = connection.jetStreamManagement();
            ensureStream();
            ensureConsumer();
        } catch (IOException | JetStreamApiException e) {
            throw new IllegalStateException("cannot set up the schedule stream " + settings.scheduleStream()
                    + " and its consumer " + DURABLE + ": " + e.getMessage(), e);
        }
    }

    // ---- publishing

    /**
     * Publishes the trigger without waiting: JetStream's ack is awaited asynchronously, and a failed attempt (NATS
     * disconnected, no stream leader during a cluster election, no ack in time) is retried until the fire would be
     * past its misfire deadline (or half the duplicate window, so that retries stay deduplicated). If it never gets
     * stored, that is logged (one warning per job per outage) and the fire is dropped here; the other runtimes
     * publish the same fire.
     *
     * @throws IllegalStateException if the queue is closed
     */
    @Override
    public void publish(Trigger trigger) {
        publishAsync(trigger);
    }

    /**
     * Publishes as {@link #publish} does; the future completes with JetStream's ack ({@link PublishAck#isDuplicate()}
     * when another runtime published the same fire first), or exceptionally once the queue stops trying.
     *
     * @throws IllegalStateException if the queue is closed
     */
    public CompletableFuture<PublishAck> publishAsync(Trigger trigger) {
        Objects.requireNonNull(trigger, "trigger");
        if (closed) {
            throw new IllegalStateException("trigger queue is closed");
        }
        Instant giveUpAt = trigger.fireTime().plus(publishRetryWindow);
        CompletableFuture<PublishAck> result = new CompletableFuture<>();
        attempt(trigger, result, giveUpAt, 1, FIRST_RETRY_DELAY_MILLIS);
        return result.whenComplete((ack, failure) -> {
            if (failure == null) {
                published(trigger, ack);
            } else {
                publishFailed(trigger, failure);
            }
        });
    }

    private void attempt(Trigger trigger, CompletableFuture<PublishAck> result, Instant giveUpAt, int attempt,
                         long retryDelayMillis) {
        sendOnce(trigger).whenComplete((ack, failure) -> {
            if (failure == null) {
                result.complete(ack);
                return;
            }
            Throwable cause = unwrap(failure);
            long remaining = Duration.between(clock.instant(), giveUpAt).toMillis();
            if (closed || remaining <= 0 || cause instanceof JetStreamApiException) {
                // an API error (e.g. the subject is not in the stream) does not go away by itself
                result.completeExceptionally(new PublishFailedException(reason(cause), attempt, cause));
                return;
            }
            log.atDebug().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .addKeyValue("attempt", attempt).addKeyValue("reason", reason(cause))
                    .log("publishing the trigger failed; retrying");
            long delay = Math.min(retryDelayMillis, remaining);
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> attempt(trigger, result,
                    giveUpAt, attempt + 1, Math.min(retryDelayMillis * 2, MAX_RETRY_DELAY_MILLIS)));
        });
    }

    /** One publish: fails at once if not connected (nothing is buffered to go out late), else awaits the ack. */
    private CompletableFuture<PublishAck> sendOnce(Trigger trigger) {
        Connection.Status status = connection.getStatus();
        if (status != Connection.Status.CONNECTED) {
            return CompletableFuture.failedFuture(new IllegalStateException("the NATS connection is " + status));
        }
        try {
            PublishOptions options = PublishOptions.builder()
                    .messageId(messageId(trigger))
                    .expectedStream(settings.scheduleStream())
                    .streamTimeout(PUBLISH_ACK_TIMEOUT)
                    .build();
            return jetStream.publishAsync(SUBJECT, null, body(trigger), options)
                    .orTimeout(PUBLISH_ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // e.g. the connection closed meanwhile, the reconnect buffer full
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Why a trigger was not stored, after {@code attempts} attempts. */
    public static final class PublishFailedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int attempts;

        PublishFailedException(String reason, int attempts, Throwable cause) {
            super(reason + " (" + attempts + (attempts == 1 ? " attempt)" : " attempts)"), cause);
            this.attempts = attempts;
        }

        public int attempts() {
            return attempts;
        }
    }

    private void published(Trigger trigger, PublishAck ack) {
        Outage ended = outage.getAndSet(null);
        if (ended != null) {
            log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("dropped", ended.dropped.get())
                    .addKeyValue("since", ended.since)
                    .log("publishing triggers works again");
        }
        if (ack.isDuplicate()) {
            log.atDebug().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .log("trigger already published (by another runtime)");
        } else {
            log.atDebug().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .addKeyValue("seq", ack.getSeqno()).log("trigger published");
        }
    }

    private void publishFailed(Trigger trigger, Throwable failure) {
        Throwable cause = unwrap(failure);
        Outage current = outage.updateAndGet(o -> o != null ? o : new Outage(clock.instant()));
        current.dropped.incrementAndGet();
        if (current.warnedJobs.add(trigger.jobId())) {
            log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("job", trigger.jobId())
                    .addKeyValue("fireTime", trigger.fireTime()).addKeyValue("reason", cause.getMessage())
                    .log("trigger not published, fire dropped (further drops for this job are logged at debug"
                            + " until publishing works again)");
        } else {
            log.atDebug().addKeyValue("job", trigger.jobId()).addKeyValue("fireTime", trigger.fireTime())
                    .addKeyValue("reason", cause.getMessage()).log("trigger not published, fire dropped");
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String reason(Throwable cause) {
        return cause instanceof TimeoutException
                ? "no ack from JetStream within " + PUBLISH_ACK_TIMEOUT.toMillis() + " ms"
                : String.valueOf(cause.getMessage());
    }

    /** {@code <jobId>:<fireTime>}, the fire time in UTC as RFC 3339: the same on every runtime. */
    static String messageId(Trigger trigger) {
        return trigger.jobId() + ":" + trigger.fireTime();
    }

    static byte[] body(Trigger trigger) {
        ObjectNode node = JSON.createObjectNode();
        node.put("jobId", trigger.jobId());
        node.put("fireTime", trigger.fireTime().toString()); // ISO_INSTANT: RFC 3339 in UTC
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The trigger in a body, or an exception saying what is wrong with it. */
    static Trigger parse(byte[] body) throws IllegalArgumentException {
        JsonNode node;
        try {
            node = JSON.readTree(body == null ? new byte[0] : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode jobId = node.get("jobId");
        JsonNode fireTime = node.get("fireTime");
        if (jobId == null || !jobId.isTextual() || jobId.asText().isEmpty()) {
            throw new IllegalArgumentException("no \"jobId\" string");
        }
        if (fireTime == null || !fireTime.isTextual()) {
            throw new IllegalArgumentException("no \"fireTime\" string");
        }
        try {
            return new Trigger(jobId.asText(),
                    OffsetDateTime.parse(fireTime.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"fireTime\" is not an RFC 3339 time: " + fireTime.asText());
        }
    }

    // ---- consuming

    /**
     * Sets the handler and starts the fetch thread.
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
            heartbeats = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "trigger-heartbeat");
                t.setDaemon(true);
                return t;
            });
            heartbeats.setRemoveOnCancelPolicy(true);
            heartbeats.scheduleWithFixedDelay(this::sendHeartbeats, heartbeatMillis, heartbeatMillis,
                    TimeUnit.MILLISECONDS);
            fetchThread = new Thread(this::fetchLoop, "trigger-fetch");
            fetchThread.setDaemon(true);
            fetchThread.start();
        }
        log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("stream", settings.scheduleStream())
                .addKeyValue("consumer", DURABLE).addKeyValue("ackWaitMs", settings.ackWait().toMillis())
                .addKeyValue("maxDeliver", settings.maxDeliver())
                .log("taking triggers from the shared schedule");
    }

    private void fetchLoop() {
        JetStreamSubscription subscription = null;
        boolean failing = false;
        try {
            while (!closed) {
                try {
                    if (subscription == null) {
                        subscription = jetStream.subscribe(null,
                                PullSubscribeOptions.bind(settings.scheduleStream(), DURABLE));
                    }
                    // iterate, not fetch: each trigger is handed on as it arrives, not when the batch is full
                    Iterator<Message> batch = subscription.iterate(BATCH, Duration.ofMillis(FETCH_WAIT_MILLIS));
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
                        log.atWarn().addKeyValue("runtime", runtimeId).setCause(e)
                                .log("fetching triggers failed; retrying every " + FETCH_RETRY_MILLIS + " ms");
                    }
                    // Pull again on a fresh binding, recreating the stream or the consumer if an operator deleted them.
                    unsubscribeQuietly(subscription);
                    subscription = null;
                    try {
                        ensureStream();
                        ensureConsumer();
                    } catch (IOException | JetStreamApiException | RuntimeException again) {
                        log.atDebug().setCause(again).log("the schedule stream or consumer is not available yet");
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

    /** One delivered message: parse, misfire check, handler, heartbeat until its stage completes, ack. */
    private void deliver(Message message) {
        Trigger trigger;
        try {
            trigger = parse(message.getData());
        } catch (IllegalArgumentException malformed) {
            log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("subject", message.getSubject())
                    .addKeyValue("seq", sequence(message)).addKeyValue("problem", malformed.getMessage())
                    .addKeyValue("body", excerpt(message.getData()))
                    .log("malformed trigger dropped");
            quietly(message::term, "term");
            return;
        }
        long delivered = deliveredCount(message);
        Duration lateness = Duration.between(trigger.fireTime(), clock.instant());
        if (delivered <= 1 && lateness.compareTo(settings.misfireDeadline()) > 0) {
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

    /** The handler's stage completed: ack (done) or nak (not dealt with here). */
    private void finish(InFlight entry, Throwable failure) {
        if (!inFlight.remove(entry)) {
            return;
        }
        if (failure == null) {
            quietly(entry.message::ack, "ack");
        } else {
            log.atDebug().addKeyValue("job", entry.trigger.jobId()).addKeyValue("fireTime", entry.trigger.fireTime())
                    .addKeyValue("reason", String.valueOf(failure)).log("trigger given back");
            giveBack(entry.message);
        }
        stopHeartbeatsIfDone();
    }

    private void giveBack(Message message) {
        quietly(message::nak, "nak");
    }

    private void sendHeartbeats() {
        for (InFlight entry : inFlight) {
            try {
                entry.message.inProgress();
            } catch (RuntimeException e) { // the connection is closed: JetStream redelivers it after ackWait
                if (inFlight.remove(entry)) {
                    log.atWarn().addKeyValue("runtime", runtimeId).addKeyValue("job", entry.trigger.jobId())
                            .addKeyValue("fireTime", entry.trigger.fireTime()).addKeyValue("reason", e.getMessage())
                            .log("cannot tell JetStream the run is still going; the trigger will be redelivered");
                }
            }
        }
        stopHeartbeatsIfDone();
    }

    private void stopHeartbeatsIfDone() {
        if (closed && inFlight.isEmpty()) {
            synchronized (lock) {
                if (heartbeats != null && inFlight.isEmpty()) {
                    heartbeats.shutdown();
                }
            }
        }
    }

    /**
     * Stops fetching (waits for the fetch thread, about {@value #FETCH_WAIT_MILLIS} ms at most) and rejects further
     * publishes. Triggers in progress keep their heartbeat and are acknowledged when their stage completes, while the
     * connection is open (see the class comment). Idempotent.
     */
    @Override
    public void close() {
        Thread fetcher;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closing.countDown();
            fetcher = fetchThread;
        }
        if (fetcher != null && fetcher != Thread.currentThread()) {
            try {
                fetcher.join(FETCH_WAIT_MILLIS + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fetcher.isAlive()) {
                log.warn("the trigger fetch thread has not stopped; it hands nothing more to the handler");
            }
        }
        stopHeartbeatsIfDone();
        log.atInfo().addKeyValue("runtime", runtimeId).addKeyValue("inProgress", inFlight.size())
                .log("trigger queue closed");
    }

    // ---- stream and consumer

    /** The stream, as {@link StreamSetup} makes it (created when missing, replicas and duplicate window updated). */
    private void ensureStream() throws IOException, JetStreamApiException {
        StreamSetup.ensureScheduleStream(connection, settings);
    }

    /** The consumer's configuration as this runtime wants it. */
    private ConsumerConfiguration consumerConfiguration() {
        return ConsumerConfiguration.builder()
                .durable(DURABLE)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(settings.ackWait())
                .maxDeliver(settings.maxDeliver())
                .maxAckPending(MAX_ACK_PENDING)
                .build();
    }

    private void ensureConsumer() throws IOException, JetStreamApiException {
        String stream = settings.scheduleStream();
        ConsumerInfo info;
        try {
            info = management.getConsumerInfo(stream, DURABLE);
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() != 404) {
                throw e;
            }
            info = null;
        }
        ConsumerConfiguration wanted = consumerConfiguration();
        if (info == null) {
            management.addOrUpdateConsumer(stream, wanted); // two runtimes creating it at once get the same one
            log.atInfo().addKeyValue("stream", stream).addKeyValue("consumer", DURABLE)
                    .addKeyValue("ackWaitMs", settings.ackWait().toMillis())
                    .addKeyValue("maxDeliver", settings.maxDeliver()).log("schedule consumer created");
            return;
        }
        ConsumerConfiguration actual = info.getConsumerConfiguration();
        if (!actual.getAckWait().equals(settings.ackWait()) || actual.getMaxDeliver() != settings.maxDeliver()
                || actual.getMaxAckPending() != MAX_ACK_PENDING) {
            try {
                management.addOrUpdateConsumer(stream, wanted);
                log.atInfo().addKeyValue("consumer", DURABLE)
                        .addKeyValue("ackWaitMs", settings.ackWait().toMillis())
                        .addKeyValue("maxDeliver", settings.maxDeliver())
                        .log("schedule consumer updated to this runtime's settings");
            } catch (JetStreamApiException e) {
                log.atWarn().addKeyValue("consumer", DURABLE).addKeyValue("reason", e.getMessage())
                        .log("the schedule consumer has other settings and cannot be updated; used as it is");
            }
        }
    }

    // ---- helpers

    /** Ack, nak, term: a failure (the connection closed) only means JetStream redelivers after ackWait. */
    private void quietly(Runnable ack, String what) {
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

    // ---- for tests

    /** Triggers handed to the handler whose stage has not completed. */
    int inProgress() {
        return inFlight.size();
    }

    /** Whether the heartbeat thread has stopped (only after close, once nothing is in progress). */
    boolean heartbeatsStopped() {
        synchronized (lock) {
            return heartbeats == null || heartbeats.isShutdown();
        }
    }
}
