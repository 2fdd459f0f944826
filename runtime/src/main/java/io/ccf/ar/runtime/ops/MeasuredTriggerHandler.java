package io.ccf.ar.runtime.ops;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

import io.ccf.ar.runtime.run.RunOutcome;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;

/**
 * The dispatcher as the trigger queue sees it, counting what happens to fires: skipped as an overlap (the stage
 * completes with {@link RunOutcome#SKIPPED_OVERLAP}), dropped because the runtime is full or stopping (the stage
 * fails with {@link RejectedExecutionException}) or because it misfired, and deliveries taken from the shared
 * schedule (redeliveries apart).
 */
final class MeasuredTriggerHandler implements TriggerHandler {
    private final TriggerHandler handler;
    private final RuntimeMetrics metrics;

    MeasuredTriggerHandler(TriggerHandler handler, RuntimeMetrics metrics) {
        this.handler = handler;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<?> handle(Trigger trigger) {
        CompletionStage<?> stage = handler.handle(trigger);
        if (stage != null) {
            stage.whenComplete((result, failure) -> {
                if (result == RunOutcome.SKIPPED_OVERLAP) {
                    metrics.fireSkipped(trigger.jobId());
                } else if (failure != null) {
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof RejectedExecutionException) {
                        metrics.fireDropped(RuntimeMetrics.DROPPED_REFUSED);
                    }
                }
            });
        }
        return stage;
    }

    @Override
    public int room() {
        return handler.room();
    }

    @Override
    public boolean awaitRoom(Duration timeout) throws InterruptedException {
        return handler.awaitRoom(timeout);
    }

    @Override
    public void taken(Trigger trigger, long delivery) {
        metrics.triggerTaken(delivery);
        handler.taken(trigger, delivery);
    }

    @Override
    public void misfired(Trigger trigger) {
        metrics.fireDropped(RuntimeMetrics.DROPPED_MISFIRE);
        handler.misfired(trigger);
    }
}
