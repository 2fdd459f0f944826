package io.ccf.ar.runtime.schedule;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * The embedded {@link TriggerQueue}: {@link #publish} calls the handler directly, on the publisher's thread, and
 * lets whatever the handler throws propagate to the publisher (the scheduler logs it and goes on). Nothing is
 * stored: publishing before {@link #subscribe} or after {@link #close} throws {@link IllegalStateException}.
 * Thread-safe; when several threads publish, the handler runs concurrently.
 */
public final class InProcessTriggerQueue implements TriggerQueue {
    private final Object lock = new Object();
    private volatile Consumer<Trigger> handler;
    private volatile boolean closed;

    @Override
    public void publish(Trigger trigger) {
        Objects.requireNonNull(trigger, "trigger");
        Consumer<Trigger> h = handler;
        if (h == null) {
            throw new IllegalStateException(closed ? "trigger queue is closed"
                    : "trigger queue has no handler yet (subscribe before starting the scheduler)");
        }
        h.accept(trigger);
    }

    @Override
    public void subscribe(Consumer<Trigger> handler) {
        Objects.requireNonNull(handler, "handler");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("trigger queue is closed");
            }
            if (this.handler != null) {
                throw new IllegalStateException("trigger queue already has a handler");
            }
            this.handler = handler;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            handler = null;
        }
    }
}
