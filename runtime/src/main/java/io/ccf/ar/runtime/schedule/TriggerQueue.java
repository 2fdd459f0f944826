package io.ccf.ar.runtime.schedule;

/**
 * Where fires go, between the scheduler (and ad-hoc requests) and the runner. {@link InProcessTriggerQueue} hands
 * each trigger straight to the handler; {@code io.ccf.ar.runtime.messaging.JetStreamTriggerQueue} shares one
 * schedule between runtimes through a JetStream work queue and acknowledges a trigger when the handler's stage
 * completes.
 *
 * <p>Contract for implementations: {@link #publish} may be called from several threads at once. There is one
 * {@link TriggerHandler}; it may be called from any thread (for the in-process queue, the publisher's), possibly
 * concurrently, and must return fast: it hands the work off (to an executor, a queue) and never runs a job itself.
 */
public interface TriggerQueue extends AutoCloseable {

    /**
     * Queues one trigger for the handler. A queue that stores triggers may return before the trigger is stored and
     * logs a failure to store it itself.
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
    void subscribe(TriggerHandler handler);

    /**
     * Stops delivering new triggers; idempotent. Triggers published afterwards are rejected. What a queue that
     * stores triggers does with triggers already handed to the handler is its own (see its documentation).
     */
    @Override
    void close();
}
