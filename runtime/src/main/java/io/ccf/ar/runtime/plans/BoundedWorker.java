package io.ccf.ar.runtime.plans;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few threads working through a bounded queue, so a NATS message handler can hand its work over and
 * return at once: a blocking step (a download, an fsync) never holds the connection's dispatcher, whose
 * own buffer would otherwise fill and drop messages. Bounded by a count and by the bytes of the messages
 * queued; what does not fit is refused by {@link #offer} returning false, never dropped unseen.
 * A task with a {@link Task#key() key} replaces a waiting task with the same key (told it was
 * {@link Task#superseded() superseded}) and goes to the back: for plan events, which each carry the
 * whole plan, only the latest per plan matters, so a burst costs one apply per plan.
 */
final class BoundedWorker implements AutoCloseable {
    /** One piece of work; told why when it will never run. */
    interface Task extends Runnable {
        /** The size of the message it came from: what it roughly keeps in memory while it waits. */
        long bytes();

        void refuse(String reason);

        /** Tasks with equal keys replace each other while waiting; null: never replaced. */
        default Object key() {
            return null;
        }

        /** A later task with the same key took this one's place before it started. */
        default void superseded() {
            refuse("superseded by a later one");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(BoundedWorker.class);

    private final String name;
    /** Waiting tasks in order; keyless tasks are keyed by themselves. Guarded by this. */
    private final Map<Object, Task> queue = new LinkedHashMap<>();
    private final int capacity;
    private final long maxBytes;
    private final List<Thread> threads = new ArrayList<>();
    private long queuedBytes; // guarded by this
    private boolean closed; // guarded by this

    BoundedWorker(String name, int threadCount, int capacity, long maxBytes) {
        this.name = name;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::work, name + "-" + (i + 1));
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Queues the task; false when the queue is full (by count or bytes) or closed: the caller refuses it. */
    boolean offer(Task task) {
        Task replaced;
        synchronized (this) {
            Object key = task.key() == null ? task : task.key();
            replaced = queue.get(key);
            long bytesAfter = queuedBytes + task.bytes() - (replaced == null ? 0 : replaced.bytes());
            boolean fitsBytes = queue.isEmpty() || bytesAfter <= maxBytes; // one large message always fits
            if (closed || (replaced == null && queue.size() >= capacity) || !fitsBytes) {
                return false;
            }
            queue.remove(key); // to the back: the latest goes in arrival order
            queue.put(key, task);
            queuedBytes = bytesAfter;
            notifyAll();
        }
        if (replaced != null) {
            replaced.superseded();
        }
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
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                Iterator<Task> first = queue.values().iterator();
                task = first.next();
                first.remove();
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
            notStarted.addAll(queue.values());
            queue.clear();
            queuedBytes = 0;
            notifyAll();
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
