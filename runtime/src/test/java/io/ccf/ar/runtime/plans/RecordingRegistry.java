package io.ccf.ar.runtime.plans;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.ccf.ar.runtime.config.PlanSpec;

/** A {@link PlanRegistry} that records what it was asked; runNow answers with {@link #runs}. */
final class RecordingRegistry implements PlanRegistry {
    final BlockingQueue<PlanSpec> applied = new LinkedBlockingQueue<>();
    /** Plans apply was called with, before any {@link #applyGate}. */
    final BlockingQueue<PlanSpec> applying = new LinkedBlockingQueue<>();
    final BlockingQueue<String> removed = new LinkedBlockingQueue<>();
    final BlockingQueue<RunRequest> requested = new LinkedBlockingQueue<>();
    private final AtomicInteger runCounter = new AtomicInteger();
    volatile Function<RunRequest, RunTicket> runs = request -> new RunTicket("run-" + runCounter.incrementAndGet());
    volatile RuntimeException applyFailure;
    volatile RuntimeException checkFailure;
    /** When set, apply waits for it: a slow download. */
    volatile java.util.concurrent.CountDownLatch applyGate;
    volatile boolean knowsEveryPlan = true;

    @Override
    public void apply(PlanSpec plan) {
        if (applyFailure != null) {
            throw applyFailure;
        }
        applying.add(plan);
        java.util.concurrent.CountDownLatch gate = applyGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        applied.add(plan);
    }

    @Override
    public void check(PlanSpec plan) {
        if (checkFailure != null) {
            throw checkFailure;
        }
    }

    @Override
    public boolean remove(String planId) {
        removed.add(planId);
        return knowsEveryPlan;
    }

    @Override
    public RunTicket runNow(RunRequest request) {
        requested.add(request);
        return runs.apply(request);
    }

    static <T> T next(BlockingQueue<T> queue, Duration timeout) throws InterruptedException {
        T value = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (value == null) {
            throw new AssertionError("nothing arrived within " + timeout);
        }
        return value;
    }
}
