package io.ccf.ar.runtime.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires jobs on their cron schedules: publishes one {@link Trigger} per fire to a {@link TriggerQueue}, from one
 * dedicated thread. The in-process counterpart of robfig/cron v3's {@code Cron.run}, with the same rules:
 *
 * <ul>
 *   <li>A job's next fire is {@code schedule.next(now)}, {@code now} being when it was added (or when the scheduler
 *       started, for jobs added before {@link #start}).</li>
 *   <li>When the thread wakes at {@code now} and finds jobs due ({@code next <= now}), it publishes one trigger each,
 *       with the scheduled fire time, and sets {@code next = schedule.next(now)}: after a stall (a suspended machine,
 *       a long GC, a clock step forward) a job fires once, not once per missed fire time.</li>
 *   <li>A schedule whose {@code next} is empty is kept but never fires.</li>
 * </ul>
 *
 * <p>{@link #update} replaces the whole set of jobs at once: removed jobs stop firing, new jobs start, jobs whose
 * schedule changed (expression or zone) get a fresh next fire, and unchanged jobs keep theirs, so updating never
 * adds a second fire for a job. A fire that was already due when {@code update} (or {@code close}) was called may
 * still be delivered; none is delivered after {@link #close} returns.
 *
 * <p>The thread sleeps until the earliest fire time (or until {@link #update} or {@link #close} wakes it; at most
 * a minute, to notice wall-clock steps), never polls. Jobs sharing a schedule share its computation: {@code next}
 * is computed once per distinct (expression, zone) per wake-up, so 10,000 jobs on a handful of expressions cost a
 * handful of {@code next} calls per second. The handler of the queue runs on the scheduler thread (for
 * {@link InProcessTriggerQueue}) and must return fast; what it throws is logged with the job id and the scheduler
 * goes on.
 *
 * <p>Thread-safe. Does not close the queue.
 */
public final class CronScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CronScheduler.class);
    /** The longest single sleep: the wall clock is read again at least this often. */
    static final long MAX_WAIT_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final long STOP_TIMEOUT_MILLIS = 10_000;
    private static final String THREAD_NAME = "cron-scheduler";

    /** What decides a schedule's fire times: two schedules with the same key have the same fire times. */
    private record ScheduleKey(String expression, ZoneId zone) {
        static ScheduleKey of(CronSchedule schedule) {
            return new ScheduleKey(schedule.expression(), schedule.zone());
        }
    }

    /** One job. Identity equality: each entry sits in at most one group of {@link #timeline}. */
    private static final class Entry {
        final String jobId;
        final CronSchedule schedule;
        final ScheduleKey key;
        /** The next fire time, or null if the schedule never fires. Guarded by {@link #lock}. */
        Instant next;

        Entry(String jobId, CronSchedule schedule, ScheduleKey key) {
            this.jobId = jobId;
            this.schedule = schedule;
            this.key = key;
        }
    }

    private final TriggerQueue queue;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the set of jobs changes or the scheduler closes. */
    private final Condition wakeUp = lock.newCondition();

    // Guarded by lock.
    private final Map<String, Entry> entries = new HashMap<>();
    /** Fire time -> schedule -> the jobs with that schedule that fire then. Holds every entry with a next fire. */
    private final TreeMap<Instant, Map<ScheduleKey, Set<Entry>>> timeline = new TreeMap<>();
    private Thread thread;
    private long nextComputations;

    /** Also read without the lock, between publishes. */
    private volatile boolean closed;
    /** How often the thread has woken up (for tests: proves it parks rather than polls). */
    private volatile long wakeUps;

    /**
     * @param queue where fires are published; not closed by {@link #close}
     * @param clock the wall clock fire times are computed from ({@link Clock#systemUTC()} in production; the zone
     *              is not used, each schedule has its own)
     */
    public CronScheduler(TriggerQueue queue, Clock clock) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Replaces the whole set of jobs, atomically, while running or before {@link #start}. Jobs not in the map stop
     * firing; jobs new in it, or whose schedule's expression or zone changed, are scheduled from now; the others
     * keep their next fire time. Logs one line with the counts.
     *
     * @param schedulesByJobId every job that should fire, by job id; copied
     * @throws NullPointerException  if the map, a key or a value is null (nothing is changed)
     * @throws IllegalStateException if the scheduler is closed
     */
    public void update(Map<String, CronSchedule> schedulesByJobId) {
        Objects.requireNonNull(schedulesByJobId, "schedulesByJobId");
        Map<String, CronSchedule> wanted = new LinkedHashMap<>(schedulesByJobId.size() * 4 / 3 + 1);
        schedulesByJobId.forEach((jobId, schedule) -> wanted.put(
                Objects.requireNonNull(jobId, "job id"), Objects.requireNonNull(schedule, "schedule of " + jobId)));

        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the scheduler is closed");
            }
            Instant now = clock.instant();
            Map<ScheduleKey, Instant> nextByKey = new HashMap<>();
            int removed = 0;
            int changed = 0;
            int added = 0;
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                Entry entry = it.next();
                if (!wanted.containsKey(entry.jobId)) {
                    unschedule(entry);
                    it.remove();
                    removed++;
                }
            }
            for (Map.Entry<String, CronSchedule> job : wanted.entrySet()) {
                CronSchedule schedule = job.getValue();
                ScheduleKey key = ScheduleKey.of(schedule);
                Entry old = entries.get(job.getKey());
                if (old != null && old.key.equals(key)) {
                    continue; // unchanged: keeps its next fire
                }
                if (old != null) {
                    unschedule(old);
                    changed++;
                } else {
                    added++;
                }
                Entry entry = new Entry(job.getKey(), schedule, key);
                entries.put(entry.jobId, entry);
                Instant next = nextByKey.computeIfAbsent(key, k -> nextOrNever(schedule, now));
                schedule(entry, next == NEVER ? null : next);
            }
            wakeUp.signalAll();
            if (LOG.isInfoEnabled()) {
                long neverFire = entries.values().stream().filter(e -> e.next == null).count();
                LOG.info("schedules updated: {} added, {} removed, {} changed, {} unchanged; {} jobs ({} never fire)",
                        added, removed, changed, entries.size() - added - changed, entries.size(), neverFire);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts the scheduler thread. As robfig's {@code Start}, every job's next fire is computed afresh from now,
     * so jobs added long before do not all fire at once.
     *
     * @throws IllegalStateException if already started, or closed
     */
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the scheduler is closed");
            }
            if (thread != null) {
                throw new IllegalStateException("the scheduler is already started");
            }
            Instant now = clock.instant();
            Map<ScheduleKey, Instant> nextByKey = new HashMap<>();
            for (Entry entry : entries.values()) {
                unschedule(entry);
                Instant next = nextByKey.computeIfAbsent(entry.key, k -> nextOrNever(entry.schedule, now));
                schedule(entry, next == NEVER ? null : next);
            }
            thread = new Thread(this::run, THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
            LOG.info("cron scheduler started with {} jobs", entries.size());
        } finally {
            lock.unlock();
        }
    }

    /** The job's next fire time; empty if the job is unknown or its schedule never fires. */
    public Optional<Instant> nextFire(String jobId) {
        lock.lock();
        try {
            Entry entry = entries.get(jobId);
            return Optional.ofNullable(entry == null ? null : entry.next);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The earliest fire time the thread has not taken yet, for a health check: a time long past means the thread is
     * stuck (a handler that does not return). Empty when no job has a next fire; {@link Instant#MIN} when the
     * scheduler's lock stays held for more than {@code wait} (the thread is stuck holding it).
     */
    public Optional<Instant> earliestPendingFire(Duration wait) throws InterruptedException {
        if (!lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return Optional.of(Instant.MIN);
        }
        try {
            return timeline.isEmpty() ? Optional.empty() : Optional.of(timeline.firstKey());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread and waits for it (unless called from the thread itself, i.e. from the handler): no trigger is
     * published after this returns. Idempotent. Does not close the queue.
     */
    @Override
    public void close() {
        Thread running;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            running = thread;
            wakeUp.signalAll();
        } finally {
            lock.unlock();
        }
        if (running == null || running == Thread.currentThread()) {
            return;
        }
        try {
            running.join(STOP_TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (running.isAlive()) {
            LOG.warn("the cron scheduler thread has not stopped after {} ms: the trigger handler has not returned;"
                    + " it publishes nothing more", STOP_TIMEOUT_MILLIS);
        } else {
            LOG.info("cron scheduler stopped");
        }
    }

    // ---- the thread

    private void run() {
        while (true) {
            List<Trigger> due;
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        return;
                    }
                    Instant now = clock.instant();
                    Instant first = timeline.isEmpty() ? null : timeline.firstKey();
                    if (first != null && !first.isAfter(now)) {
                        due = takeDue(now);
                        break;
                    }
                    try {
                        wakeUp.awaitNanos(first == null ? MAX_WAIT_NANOS : nanosUntil(now, first));
                    } catch (InterruptedException e) {
                        // Only close() stops the scheduler; the flag is cleared, so this does not spin.
                        LOG.warn("the cron scheduler thread was interrupted; ignored (close() stops it)");
                    }
                    wakeUps++;
                }
            } finally {
                lock.unlock();
            }
            publish(due);
        }
    }

    /** Nanoseconds from {@code now} to {@code later}, at most {@link #MAX_WAIT_NANOS}, at least 1. */
    private static long nanosUntil(Instant now, Instant later) {
        long seconds = later.getEpochSecond() - now.getEpochSecond();
        if (seconds >= TimeUnit.NANOSECONDS.toSeconds(MAX_WAIT_NANOS)) {
            return MAX_WAIT_NANOS;
        }
        long nanos = seconds * 1_000_000_000L + later.getNano() - now.getNano();
        return Math.max(1, nanos);
    }

    /**
     * What the thread does when it wakes up at {@code now}: takes every job due at {@code now} off the timeline,
     * reschedules it at {@code schedule.next(now)}, then publishes its trigger. For tests, which call it without
     * starting the thread. Returns the triggers it published (or tried to: those whose handler threw are included).
     */
    List<Trigger> fireDue(Instant now) {
        List<Trigger> due;
        lock.lock();
        try {
            due = takeDue(now);
        } finally {
            lock.unlock();
        }
        publish(due);
        return due;
    }

    /** Publishes in order, outside the lock, so the handler may call back into the scheduler. Stops on close. */
    private void publish(List<Trigger> due) {
        for (Trigger trigger : due) {
            if (closed) {
                return;
            }
            try {
                queue.publish(trigger);
            } catch (Throwable e) { // the scheduler thread must survive whatever a handler does
                LOG.error("publishing the trigger of job {} (fire time {}) failed; the scheduler goes on",
                        trigger.jobId(), trigger.fireTime(), e);
            }
        }
    }

    /**
     * Takes every job due at {@code now} off the timeline, returning its trigger, and puts it back at
     * {@code schedule.next(now)}, computed once per schedule. Caller holds the lock.
     */
    private List<Trigger> takeDue(Instant now) {
        List<Trigger> due = new ArrayList<>();
        Map<ScheduleKey, Set<Entry>> dueBySchedule = new LinkedHashMap<>();
        while (!timeline.isEmpty() && !timeline.firstKey().isAfter(now)) {
            Map.Entry<Instant, Map<ScheduleKey, Set<Entry>>> bucket = timeline.pollFirstEntry();
            Instant fireTime = bucket.getKey();
            for (Map.Entry<ScheduleKey, Set<Entry>> group : bucket.getValue().entrySet()) {
                for (Entry entry : group.getValue()) {
                    due.add(new Trigger(entry.jobId, fireTime, entry.schedule.zone().getId()));
                }
                Set<Entry> same = dueBySchedule.putIfAbsent(group.getKey(), group.getValue());
                if (same != null) { // a schedule due at two fire times: after a stall, or @every jobs out of phase
                    same.addAll(group.getValue());
                }
            }
        }
        for (Map.Entry<ScheduleKey, Set<Entry>> group : dueBySchedule.entrySet()) {
            Set<Entry> jobs = group.getValue();
            Instant next = nextOrNever(jobs.iterator().next().schedule, now);
            if (next == NEVER) {
                for (Entry entry : jobs) {
                    entry.next = null;
                }
                continue;
            }
            for (Entry entry : jobs) {
                entry.next = next;
            }
            Map<ScheduleKey, Set<Entry>> target = timeline.computeIfAbsent(next, t -> new LinkedHashMap<>());
            Set<Entry> already = target.putIfAbsent(group.getKey(), jobs); // the whole group moves in one step
            if (already != null) {
                already.addAll(jobs);
            }
        }
        return due;
    }

    // ---- the timeline (caller holds the lock)

    /** Marks "never fires" in the per-call caches of next fire times. */
    private static final Instant NEVER = Instant.MIN;

    private Instant nextOrNever(CronSchedule schedule, Instant now) {
        nextComputations++;
        try {
            return schedule.next(now.atZone(schedule.zone())).map(t -> t.toInstant()).orElse(NEVER);
        } catch (RuntimeException e) { // not expected from the parser's schedules; keeps the thread alive if it is
            LOG.error("computing the next fire time of \"{}\" after {} failed; jobs on it will not fire",
                    schedule.expression(), now, e);
            return NEVER;
        }
    }

    private void schedule(Entry entry, Instant next) {
        entry.next = next;
        if (next != null) {
            timeline.computeIfAbsent(next, t -> new LinkedHashMap<>())
                    .computeIfAbsent(entry.key, k -> new LinkedHashSet<>())
                    .add(entry);
        }
    }

    private void unschedule(Entry entry) {
        if (entry.next == null) {
            return;
        }
        Map<ScheduleKey, Set<Entry>> bucket = timeline.get(entry.next);
        Set<Entry> group = bucket.get(entry.key);
        group.remove(entry);
        if (group.isEmpty()) {
            bucket.remove(entry.key);
            if (bucket.isEmpty()) {
                timeline.remove(entry.next);
            }
        }
        entry.next = null;
    }

    // ---- for tests

    /** How many times {@code schedule.next} has been called. */
    long nextComputations() {
        lock.lock();
        try {
            return nextComputations;
        } finally {
            lock.unlock();
        }
    }

    /** How many times the thread has come back from waiting. */
    long wakeUps() {
        return wakeUps;
    }

    /** Whether the thread is alive (started and not stopped, nor dead of an error). */
    public boolean isRunning() {
        Thread t;
        lock.lock();
        try {
            t = thread;
        } finally {
            lock.unlock();
        }
        return t != null && t.isAlive();
    }
}
