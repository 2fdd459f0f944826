package io.ccf.ar.runtime.schedule;

import java.util.Objects;

/**
 * The embedded {@link TriggerQueue}: {@link #publish} calls the handler directly, on the publisher's thread, and
 * lets whatever the handler throws propagate to the publisher (the scheduler logs it and goes on). The stage the
 * handler returns is ignored. Nothing is stored: publishing before {@link #subscribe} or after {@link #close} throws
 * {@link IllegalStateException}. Thread-safe; when several threads publish, the handler runs concurrently.
 */
public final class InProcessTriggerQueue implements TriggerQueue {
    private final Object lock = new Object();
    private volatile TriggerHandler handler;
    private volatile boolean closed;

    @Override
    public void publish(Trigger trigger) {
        Objects.requireNonNull(trigger, "trigger");
        TriggerHandler h = handler;
        if (h == null) {
            throw new IllegalStateException(closed ? "trigger queue is closed"
                    : "trigger queue has no handler yet (subscribe before starting the scheduler)");
        }
        h.handle(trigger); // nothing is stored, so there is nothing to acknowledge: the stage is ignored
    }

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
