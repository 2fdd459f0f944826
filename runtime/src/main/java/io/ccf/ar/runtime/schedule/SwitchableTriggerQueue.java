package io.ccf.ar.runtime.schedule;

import java.util.Objects;

/**
 * A {@link TriggerQueue} whose backing queue can be replaced while the scheduler runs. The daemon starts on
 * the in-process queue when NATS is not reachable yet and moves to the shared JetStream queue once NATS
 * comes, so a runtime started during an outage does not keep scheduling on its own (and running every job
 * a second time beside the other runtimes) until it is restarted.
 */
public final class SwitchableTriggerQueue implements TriggerQueue {
    private final Object lock = new Object();
    private volatile TriggerQueue current;
    private TriggerHandler handler;
    private boolean closed;

    public SwitchableTriggerQueue(TriggerQueue initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    /** The queue triggers go to now. */
    public TriggerQueue current() {
        return current;
    }

    @Override
    public void publish(Trigger trigger) {
        TriggerQueue queue = current;
        try {
            queue.publish(trigger);
        } catch (IllegalStateException e) {
            TriggerQueue now = current;
            if (now == queue) {
                throw e;
            }
            now.publish(trigger); // the queue was switched (and the old one closed) under this publish
        }
    }

    @Override
    public void subscribe(TriggerHandler handler) {
        synchronized (lock) {
            if (this.handler != null) {
                throw new IllegalStateException("a handler is already subscribed");
            }
            this.handler = Objects.requireNonNull(handler, "handler");
            current.subscribe(handler);
        }
    }

    /**
     * Subscribes {@code next} with the handler, sends every later trigger to it, then closes the previous queue
     * (whose triggers already handed to the handler run to their end). Returns false, closing {@code next},
     * when this queue is already closed.
     */
    public boolean switchTo(TriggerQueue next) {
        TriggerQueue previous;
        synchronized (lock) {
            if (closed) {
                next.close();
                return false;
            }
            if (handler != null) {
                next.subscribe(handler);
            }
            previous = current;
            current = next;
        }
        previous.close();
        return true;
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        current.close();
    }
}
