package io.ccf.ar.runtime.messaging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.schedule.Trigger;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;

/**
 * Puts triggers on the schedule stream without blocking the caller: JetStream's ack is awaited asynchronously, and a
 * failed attempt (NATS disconnected, a stream leader election, no ack within {@link #ACK_TIMEOUT}) is retried with
 * backoff until the caller's deadline. Nothing is buffered in the client while disconnected (an attempt fails at once
 * then). At most {@link #MAX_IN_FLIGHT} triggers are being published at once; beyond that a publish fails at once, so
 * a long outage with thousands of jobs cannot pile up retries in memory.
 */
final class TriggerPublisher {
    private static final Logger log = LoggerFactory.getLogger(TriggerPublisher.class);
    /** How long one attempt waits for JetStream's ack. */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);
    static final int MAX_IN_FLIGHT = 10_000;
    private static final long FIRST_RETRY_DELAY_MILLIS = 100;
    private static final long MAX_RETRY_DELAY_MILLIS = 1_000;

    private final Connection connection;
    private final JetStream jetStream;
    private final String stream;
    private final Clock clock;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    /** Publishes not completed yet, so {@link #abandonPending} can give up on them at once. */
    private final Map<CompletableFuture<PublishAck>, Trigger> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    TriggerPublisher(Connection connection, JetStream jetStream, String stream, Clock clock) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.jetStream = Objects.requireNonNull(jetStream, "jetStream");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Publishes until stored or {@code giveUpAt}; completes with JetStream's ack ({@link PublishAck#isDuplicate()}
     * when another runtime stored the same fire first), or exceptionally with {@link PublishFailedException}.
     */
    CompletableFuture<PublishAck> publish(Trigger trigger, Instant giveUpAt) {
        CompletableFuture<PublishAck> result = new CompletableFuture<>();
        if (!inFlight.tryAcquire()) {
            result.completeExceptionally(new PublishFailedException(MAX_IN_FLIGHT
                    + " triggers are already waiting for JetStream", 0, null));
            return result;
        }
        pending.put(result, trigger);
        result.whenComplete((ack, failure) -> {
            pending.remove(result);
            inFlight.release();
        });
        attempt(trigger, result, giveUpAt, 1, FIRST_RETRY_DELAY_MILLIS);
        return result;
    }

    /**
     * Gives up on every publish still being retried, oldest fire first (their futures fail with {@code reason}), so
     * that fires waiting for a shared schedule that is known to be away are dealt with now, in order.
     */
    void abandonPending(String reason) {
        List<Map.Entry<CompletableFuture<PublishAck>, Trigger>> waiting = new ArrayList<>(pending.entrySet());
        waiting.sort(Comparator.comparing(e -> e.getValue().fireTime()));
        for (Map.Entry<CompletableFuture<PublishAck>, Trigger> e : waiting) {
            e.getKey().completeExceptionally(new PublishFailedException(reason, 0, null));
        }
    }

    /** Stops retrying: attempts in progress fail at their next step. */
    void close() {
        closed = true;
    }

    private void attempt(Trigger trigger, CompletableFuture<PublishAck> result, Instant giveUpAt, int attempt,
                         long retryDelayMillis) {
        if (result.isDone()) { // abandoned
            return;
        }
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
                    .messageId(TriggerCodec.messageId(trigger))
                    .expectedStream(stream)
                    .streamTimeout(ACK_TIMEOUT)
                    .build();
            return jetStream.publishAsync(TriggerCodec.SUBJECT, null, TriggerCodec.body(trigger), options)
                    .orTimeout(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) { // e.g. the connection closed meanwhile, the reconnect buffer full
            return CompletableFuture.failedFuture(e);
        }
    }

    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private static String reason(Throwable cause) {
        return cause instanceof TimeoutException
                ? "no ack from JetStream within " + ACK_TIMEOUT.toMillis() + " ms"
                : String.valueOf(cause.getMessage());
    }

    /** Why a trigger was not stored, after {@code attempts} attempts. */
    static final class PublishFailedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int attempts;

        PublishFailedException(String reason, int attempts, Throwable cause) {
            super(attempts == 0 ? reason : reason + " (" + attempts + (attempts == 1 ? " attempt)" : " attempts)"), cause);
            this.attempts = attempts;
        }

        int attempts() {
            return attempts;
        }
    }
}
