package io.ccf.ar.runtime.messaging;

import io.nats.client.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The results a {@link JetStreamResultSink} sent asynchronously and that are not settled yet, in the order they were
 * sent. A failed one is handed on (to the spool) only once every result sent before it is acked or handed on itself,
 * so failures reach the spool in send order whatever order their acks fail in: jnats may fail the later publishes
 * of a broken connection at once while an earlier one waits for its ack's timeout.
 */
final class SendOrder {
    /** One result in flight; {@link #failure} is set when its publish failed. */
    static final class Sent {
        final String run;
        final String id;
        final byte[] data;
        final Connection connection;
        volatile Throwable failure;

        Sent(String run, String id, byte[] data, Connection connection) {
            this.run = run;
            this.id = id;
            this.data = data;
            this.connection = connection;
        }
    }

    private final ConcurrentSkipListMap<Long, Sent> pending = new ConcurrentSkipListMap<>();
    private final AtomicLong lastSequence = new AtomicLong();
    private final AtomicInteger failuresWaiting = new AtomicInteger();

    /** Records a result about to be sent; returns its place in the send order. */
    long sending(Sent sent) {
        long sequence = lastSequence.incrementAndGet();
        pending.put(sequence, sent);
        return sequence;
    }

    /** The send itself threw: the caller deals with the result, which leaves the order. */
    void withdrawn(long sequence) {
        pending.remove(sequence);
    }

    /** Acked; returns whether failed results wait behind others (then {@link #handOnFailures} should run). */
    boolean acked(long sequence) {
        pending.remove(sequence);
        return failuresWaiting.get() > 0;
    }

    /** Its publish failed; {@link #handOnFailures} should run next. */
    void failed(long sequence, Throwable failure) {
        Sent sent = pending.get(sequence);
        if (sent != null && sent.failure == null) {
            sent.failure = failure;
            failuresWaiting.incrementAndGet();
        }
    }

    /** Hands on the failed results that no earlier result waits before, oldest first; one caller at a time. */
    synchronized void handOnFailures(Consumer<Sent> handOn) {
        Map.Entry<Long, Sent> head;
        while ((head = pending.firstEntry()) != null && head.getValue().failure != null) {
            pending.remove(head.getKey());
            failuresWaiting.decrementAndGet();
            handOn.accept(head.getValue());
        }
    }
}
