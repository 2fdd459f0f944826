package io.ccf.ar.runtime.schedule;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Receives the triggers of a {@link TriggerQueue}. {@link #handle} must return fast: it hands the work off (to an
 * executor) and returns a stage that completes when the work for this trigger is over. A queue that stores
 * triggers acknowledges a trigger only then, so a runtime that dies mid-run leaves its trigger to be delivered
 * again to another runtime; the in-process queue ignores the stage.
 *
 * <p>What the stage means to a queue that stores triggers:
 * <ul>
 *   <li>completes normally (any value; also a {@code null} stage): the trigger is dealt with (run, skipped as an
 *       overlap, or for a job that no longer exists) and is acknowledged;</li>
 *   <li>completes exceptionally: the trigger was not dealt with here (e.g. the runtime is stopping and did not start
 *       the run); the queue gives it back for another delivery.</li>
 * </ul>
 */
@FunctionalInterface
public interface TriggerHandler {

    /**
     * Takes one trigger. May be called from any thread, concurrently.
     *
     * @return completes when the work for the trigger is over; never blocks to compute it
     */
    CompletionStage<?> handle(Trigger trigger);

    /**
     * How many more triggers the handler can start now without queueing them. A queue that stores triggers takes no
     * more than this from the store, so a busy runtime leaves them to the others. Unbounded by default.
     */
    default int room() {
        return Integer.MAX_VALUE;
    }

    /** Waits until {@link #room()} is above zero, at most {@code timeout}; true if it is. */
    default boolean awaitRoom(java.time.Duration timeout) throws InterruptedException {
        return true;
    }

    /**
     * A queue that stores triggers took {@code trigger} from the store, its {@code delivery}-th delivery (1 the
     * first time; more: a runtime had it and did not finish it). For metrics; called before {@link #handle} or
     * {@link #misfired}, must return fast. Does nothing by default.
     */
    default void taken(Trigger trigger, long delivery) {
    }

    /**
     * The queue dropped {@code trigger} without handing it over: it arrived after the misfire deadline. For metrics;
     * must return fast. Does nothing by default.
     */
    default void misfired(Trigger trigger) {
    }

    /** An already completed stage, for handlers that are done when they return. */
    static CompletionStage<Void> done() {
        return CompletableFuture.completedStage(null);
    }

    /** A handler that is done when {@code action} returns (for tests and simple consumers). */
    static TriggerHandler of(Consumer<Trigger> action) {
        Objects.requireNonNull(action, "action");
        return trigger -> {
            action.accept(trigger);
            return done();
        };
    }
}
