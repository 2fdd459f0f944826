package io.ccf.ar.runtime.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.TriggerQueue;

/**
 * Sits between the cron scheduler and its trigger queue: measures how late each fire is handed over (wall clock at
 * publish minus fire time) and remembers a hand-over in progress, so the liveness check sees a scheduler thread stuck
 * in a queue that does not return.
 */
final class FireMonitor implements TriggerQueue {
    /** A publish in progress: which trigger, since when (System.nanoTime). */
    record Publishing(Trigger trigger, long sinceNanos) {
        Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - sinceNanos);
        }
    }

    private final TriggerQueue queue;
    private final RuntimeMetrics metrics;
    private final Clock clock;
    private final AtomicReference<Publishing> publishing = new AtomicReference<>();

    FireMonitor(TriggerQueue queue, RuntimeMetrics metrics, Clock clock) {
        this.queue = queue;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void publish(Trigger trigger) {
        metrics.fired(Duration.between(trigger.fireTime(), clock.instant()));
        Publishing now = new Publishing(trigger, System.nanoTime());
        publishing.set(now);
        try {
            queue.publish(trigger);
        } finally {
            publishing.compareAndSet(now, null);
        }
    }

    /** The hand-over in progress, if the scheduler thread is in one now. */
    Optional<Publishing> publishing() {
        return Optional.ofNullable(publishing.get());
    }

    @Override
    public void subscribe(TriggerHandler handler) {
        queue.subscribe(handler);
    }

    @Override
    public void close() {
        queue.close();
    }
}
