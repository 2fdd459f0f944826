package io.ccf.ar.runtime.app;

import java.time.Duration;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A pool of up to {@code maxThreads} that gives a task to an idle thread before it starts a new one, and queues
 * without bound once all are busy. A plain {@link ThreadPoolExecutor} with {@code maxThreads} core threads starts a
 * new thread for every task until it has them all, idle ones or not: with the daemon's 8 x 16 Execute threads, an
 * idle daemon running one small job every few seconds kept dozens of threads (and their stacks) alive.
 */
final class IdleFirstThreadPool {
    private IdleFirstThreadPool() {
    }

    static ThreadPoolExecutor create(int maxThreads, Duration keepAlive, ThreadFactory threads) {
        HandOffQueue queue = new HandOffQueue();
        return new ThreadPoolExecutor(0, maxThreads, keepAlive.toMillis(), TimeUnit.MILLISECONDS, queue, threads,
                (task, pool) -> {
                    if (pool.isShutdown()) {
                        throw new RejectedExecutionException("the pool is shut down");
                    }
                    queue.enqueue(task); // every thread busy: wait for one
                    // A thread that timed out just before the task was queued no longer takes it: start one instead
                    if (pool.getPoolSize() < pool.getMaximumPoolSize() && queue.remove(task)) {
                        pool.execute(task);
                    }
                });
    }

    /** The pool offers a task here before it starts a thread: taken only by an idle thread waiting for work. */
    private static final class HandOffQueue extends LinkedTransferQueue<Runnable> {
        @Override
        public boolean offer(Runnable task) {
            return tryTransfer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
