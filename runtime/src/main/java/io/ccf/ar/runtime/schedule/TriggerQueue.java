package io.ccf.ar.runtime.schedule;

import java.util.function.Consumer;

/**
 * Where fires go, between the scheduler (and ad-hoc requests) and the runner. {@link InProcessTriggerQueue} hands
 * each trigger straight to the handler; a JetStream work queue can implement the same contract.
 *
 * <p>Contract for implementations: {@link #publish} may be called from several threads at once. There is one
 * handler; it may be called from any thread (for the in-process queue, the publisher's), possibly concurrently, and
 * must return fast: it hands the work off (to an executor, a queue) and never runs a job itself.
 */
public interface TriggerQueue extends AutoCloseable {

    /**
     * Queues one trigger for the handler.
     *
     * @throws IllegalStateException if the queue is closed, or cannot accept the trigger (e.g. no handler yet
     *                               for a queue that does not store triggers)
     * @throws RuntimeException      whatever delivering it failed with (for the in-process queue, what the handler
     *                               threw)
     */
    void publish(Trigger trigger);

    /**
     * Sets the one handler that receives the triggers.
     *
     * @throws IllegalStateException if a handler is already set or the queue is closed
     */
    void subscribe(Consumer<Trigger> handler);

    /** Stops delivering; idempotent. Triggers published afterwards are rejected. */
    @Override
    void close();
}
