package io.ccf.ar.runtime.plans;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few threads working through a bounded queue, so a NATS message handler can hand its work over and
 * return at once: a blocking step (a download, an fsync) never holds the connection's dispatcher, whose
 * own buffer would otherwise fill and drop messages. Bounded by a count and by the bytes of the messages
 * queued; what does not fit is refused by {@link #offer} returning false, never dropped unseen.
 */
final class BoundedWorker implements AutoCloseable {
    /** One piece of work; told why when it will never run. */
    interface Task extends Runnable {
        /** The size of the message it came from: what it roughly keeps in memory while it waits. */
        long bytes();

        void refuse(String reason);
    }

    private static final Logger log = LoggerFactory.getLogger(BoundedWorker.class);
    private static final Task STOP = new Task() {
        @Override
        public void run() {
        }

        @Override
        public long bytes() {
            return 0;
        }

        @Override
        public void refuse(String reason) {
        }
    };

    private final String name;
    private final BlockingQueue<Task> queue;
    private final int capacity;
    private final long maxBytes;
    private final List<Thread> threads = new ArrayList<>();
    private long queuedBytes; // guarded by this
    private boolean closed; // guarded by this

    BoundedWorker(String name, int threadCount, int capacity, long maxBytes) {
        this.name = name;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.queue = new ArrayBlockingQueue<>(capacity + threadCount); // + room for the STOP markers
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::work, name + "-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Queues the task; false when the queue is full (by count or bytes) or closed: the caller refuses it. */
    synchronized boolean offer(Task task) {
        boolean fitsBytes = queue.isEmpty() || queuedBytes + task.bytes() <= maxBytes; // one large message always fits
        if (closed || queue.size() >= capacity || !fitsBytes || !queue.offer(task)) {
            return false;
        }
        queuedBytes += task.bytes();
        return true;
    }

    /** "1,000 queued (16 MiB max)": for the refusal a sender gets when {@link #offer} said no. */
    synchronized String describeFull() {
        return closed ? "the runtime is stopping"
                : String.format("the runtime is busy: %,d queued, %,d bytes (limits %,d and %,d bytes)",
                        queue.size(), queuedBytes, capacity, maxBytes);
    }

    private void work() {
        while (true) {
            Task task;
            try {
                task = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (task == STOP) {
                return;
            }
            synchronized (this) {
                queuedBytes -= task.bytes();
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                log.atError().setCause(e).addKeyValue("worker", name).log("task failed; the next one runs");
            }
        }
    }

    /** Refuses what has not started, lets the tasks running finish within {@code wait}, then interrupts them. */
    void close(Duration wait) {
        List<Task> notStarted = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.drainTo(notStarted);
            queuedBytes = 0;
            threads.forEach(t -> queue.add(STOP));
        }
        notStarted.forEach(t -> t.refuse("the runtime is stopping"));
        long deadline = System.nanoTime() + wait.toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (t.isAlive()) {
                t.interrupt();
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
