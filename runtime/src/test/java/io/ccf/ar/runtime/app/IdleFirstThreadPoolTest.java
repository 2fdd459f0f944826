package io.ccf.ar.runtime.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class IdleFirstThreadPoolTest {

    @Test
    void tasksOneAfterAnotherReuseTheIdleThread() throws Exception {
        ThreadPoolExecutor pool = IdleFirstThreadPool.create(8, Duration.ofSeconds(60), Thread::new);
        try {
            for (int i = 0; i < 10; i++) {
                if (i > 0) {
                    awaitIdleThread(pool);
                }
                pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
            }
            assertEquals(1, pool.getLargestPoolSize(), "threads started for 10 tasks in a row");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void busyThreadsGrowToTheLimitThenTasksWait() throws Exception {
        ThreadPoolExecutor pool = IdleFirstThreadPool.create(4, Duration.ofSeconds(60), Thread::new);
        CountDownLatch release = new CountDownLatch(1);
        Semaphore started = new Semaphore(0);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                tasks.add(pool.submit(() -> {
                    started.release();
                    release.await();
                    return null;
                }));
            }
            started.acquire(4);
            assertEquals(4, pool.getPoolSize(), "threads while every task blocks");
            assertEquals(6, pool.getQueue().size(), "tasks waiting for a thread");
            release.countDown();
            for (Future<?> task : tasks) {
                task.get(10, TimeUnit.SECONDS);
            }
            assertEquals(10, started.availablePermits() + 4);
            assertEquals(4, pool.getLargestPoolSize());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesTasksOnceShutDown() {
        ThreadPoolExecutor pool = IdleFirstThreadPool.create(2, Duration.ofSeconds(60), Thread::new);
        pool.shutdown();
        assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> { }));
    }

    /** Waits until the pool's thread is back waiting for work (it finishes a task before it asks for the next). */
    private static void awaitIdleThread(ThreadPoolExecutor pool) throws InterruptedException {
        LinkedTransferQueue<Runnable> queue = (LinkedTransferQueue<Runnable>) pool.getQueue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!queue.hasWaitingConsumer()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no idle thread within 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
