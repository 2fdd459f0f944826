package io.ccf.ar.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.CronSchedule;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.ccf.ar.runtime.schedule.InProcessTriggerQueue;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.Trigger;

/**
 * The in-process cron scheduler under 10,000 jobs: fire lateness (publish time minus scheduled fire time) with
 * second-level schedules, the cost of {@code update()}, and the idle CPU of 10,000 jobs that do not fire. Prints a
 * Markdown report on stdout.
 *
 * <p>Usage: {@code java -cp bench/target/bench.jar io.ccf.ar.bench.SchedulerBench [jobs] [fireSeconds] [idleSeconds]}
 * (defaults 10000, 30, 20).
 */
public final class SchedulerBench {
    /** Second-level schedules, spread evenly over the jobs. */
    private static final List<String> BUSY_MIX = List.of(
            "* * * * * *", "*/2 * * * * *", "*/3 * * * * *", "*/5 * * * * *", "1/2 * * * * *",
            "*/10 * * * * *", "@every 1s", "@every 3s", "0/4 * * * * *", "CRON_TZ=Asia/Kolkata * * * * * *");
    /** The worst burst: every job every second. */
    private static final List<String> ALL_EVERY_SECOND = List.of("* * * * * *");
    /** Schedules that do not fire within the idle window. */
    private static final List<String> IDLE_MIX = List.of(
            "0 0 0 1 1 *", "@yearly", "0 0 0 29 2 *", "CRON_TZ=America/New_York 0 0 0 1 1 *", "0 0 0 30 2 *");
    private static final int WARMUP_SECONDS = 5;

    private final Clock clock = Clock.systemUTC();
    private final int jobs;
    private final int fireSeconds;
    private final int idleSeconds;

    private SchedulerBench(int jobs, int fireSeconds, int idleSeconds) {
        this.jobs = jobs;
        this.fireSeconds = fireSeconds;
        this.idleSeconds = idleSeconds;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("AR_LOG_LEVEL", "WARN");
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int fireSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        new SchedulerBench(jobs, fireSeconds, idleSeconds).run();
    }

    private void run() throws Exception {
        out("# Scheduler benchmark");
        out("");
        out("JDK " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                + " cores, " + jobs + " jobs, in-process trigger queue; the handler records the lateness "
                + "(wall clock at publish − scheduled fire time) into an array.");
        out("");
        out("## Fire lateness");
        out("");
        out("Busy mix, spread evenly over the jobs: `" + String.join("`, `", BUSY_MIX) + "`.");
        out("");
        out("| scenario | window s | fires | expected | p50 ms | p99 ms | max ms | process CPU, % of one core |");
        out("|---|---|---|---|---|---|---|---|");
        fireRound("warm-up (busy mix, not a result)", BUSY_MIX, WARMUP_SECONDS);
        fireRound("busy mix", BUSY_MIX, fireSeconds);
        fireRound("all jobs `* * * * * *`", ALL_EVERY_SECOND, Math.max(5, fireSeconds / 3));
        out("");
        updateCosts();
        out("");
        idleCpu();
    }

    // ---- lateness

    /** The handler of one round; called on the scheduler thread only. */
    private static final class Recorder {
        final long[] latenessNanos;
        final Clock clock;
        /** Fires with fire times in (windowStart, windowEnd] count; set once the jobs are in. */
        volatile Instant windowStart = Instant.MAX;
        volatile Instant windowEnd = Instant.MIN;
        int count;

        Recorder(int capacity, Clock clock) {
            this.latenessNanos = new long[capacity];
            this.clock = clock;
        }

        void record(Trigger trigger) {
            Instant now = clock.instant();
            Instant fire = trigger.fireTime();
            if (!fire.isAfter(windowStart) || fire.isAfter(windowEnd) || count == latenessNanos.length) {
                return;
            }
            latenessNanos[count++] = (now.getEpochSecond() - fire.getEpochSecond()) * 1_000_000_000L
                    + now.getNano() - fire.getNano();
        }
    }

    /**
     * Adds the jobs to a running scheduler; the window starts at the second whole second after that and lasts
     * {@code seconds}. Expected fires: each job's fire times in the window, from the first fire the scheduler
     * computed for one job of each expression (all jobs with an expression are added at the same instant, so they
     * share their fire times, {@code @every} included).
     */
    private void fireRound(String label, List<String> expressions, int seconds) throws Exception {
        Map<String, CronSchedule> schedules = jobs(expressions, "busy");
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) jobs * (seconds + 1));
        Recorder recorder = new Recorder(capacity, clock);
        try (InProcessTriggerQueue queue = new InProcessTriggerQueue();
             CronScheduler scheduler = new CronScheduler(queue, clock)) {
            queue.subscribe(TriggerHandler.of(recorder::record));
            scheduler.start();
            scheduler.update(schedules);
            Map<String, Optional<Instant>> firstFire = new LinkedHashMap<>();
            for (int i = 0; i < expressions.size(); i++) {
                firstFire.put(expressions.get(i), scheduler.nextFire("busy-" + i));
            }
            Instant windowStart = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
            Instant windowEnd = windowStart.plusSeconds(seconds);
            recorder.windowStart = windowStart;
            recorder.windowEnd = windowEnd;
            long expected = 0;
            for (Map.Entry<String, CronSchedule> job : schedules.entrySet()) {
                CronSchedule schedule = job.getValue();
                expected += firesIn(schedule, firstFire.get(schedule.expression()), windowStart, windowEnd);
            }

            sleepUntil(windowStart);
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            sleepUntil(windowEnd.plusMillis(1500)); // the last fires are published by then
            long cpu = processCpuNanos() - cpu0;
            long wall = System.nanoTime() - wall0;
            scheduler.close();

            long[] late = Arrays.copyOf(recorder.latenessNanos, recorder.count);
            Arrays.sort(late);
            out("| " + label + " | " + seconds + " | " + late.length + " | " + expected + " | "
                    + ms(percentile(late, 0.50)) + " | " + ms(percentile(late, 0.99)) + " | "
                    + ms(late.length == 0 ? 0 : late[late.length - 1]) + " | "
                    + String.format("%.1f", 100.0 * cpu / wall) + " |");
        }
    }

    /** How many of the fire times {@code first}, {@code next(first)}, ... fall in (start, end]. */
    private static long firesIn(CronSchedule schedule, Optional<Instant> first, Instant start, Instant end) {
        long n = 0;
        Optional<ZonedDateTime> t = first.map(i -> i.atZone(schedule.zone()));
        while (t.isPresent() && !t.get().toInstant().isAfter(end)) {
            if (t.get().toInstant().isAfter(start)) {
                n++;
            }
            t = schedule.next(t.get());
        }
        return n;
    }

    // ---- update

    private void updateCosts() throws Exception {
        Map<String, CronSchedule> busy = jobs(BUSY_MIX, "busy");
        Map<String, CronSchedule> tenPercentChanged = new LinkedHashMap<>(busy);
        int i = 0;
        for (String id : busy.keySet()) {
            if (i++ % 10 == 0) {
                tenPercentChanged.put(id, CronParser.parse("*/7 * * * * *", ZoneOffset.UTC));
            }
        }
        Map<String, CronSchedule> reparsed = jobs(BUSY_MIX, "busy");
        out("## update() with " + jobs + " jobs (scheduler running, no handler work; median of 5)");
        out("");
        out("| update | ms |");
        out("|---|---|");
        long[] add = new long[5];
        long[] same = new long[5];
        long[] change = new long[5];
        long[] remove = new long[5];
        for (int round = 0; round < 5; round++) {
            try (InProcessTriggerQueue queue = new InProcessTriggerQueue();
                 CronScheduler scheduler = new CronScheduler(queue, clock)) {
                queue.subscribe(TriggerHandler.of(t -> { }));
                scheduler.start();
                add[round] = timed(() -> scheduler.update(busy));
                same[round] = timed(() -> scheduler.update(reparsed));
                change[round] = timed(() -> scheduler.update(tenPercentChanged));
                remove[round] = timed(() -> scheduler.update(Map.of()));
            }
        }
        out("| add all (empty → " + jobs + ") | " + median(add) + " |");
        out("| the same set again, parsed anew (all unchanged) | " + median(same) + " |");
        out("| 10 % of the jobs change expression | " + median(change) + " |");
        out("| remove all | " + median(remove) + " |");
    }

    private static String median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return ms(sorted[sorted.length / 2]);
    }

    private static long timed(Runnable action) {
        long t0 = System.nanoTime();
        action.run();
        return System.nanoTime() - t0;
    }

    // ---- idle

    private void idleCpu() throws Exception {
        System.gc();
        sleepMillis(2000); // let the JIT and GC threads settle after the busy rounds
        long baseline = cpuOver(idleSeconds);

        Map<String, CronSchedule> idle = jobs(IDLE_MIX, "idle");
        long schedulerCpu;
        long threadCpu;
        long threadCpuStart;
        try (InProcessTriggerQueue queue = new InProcessTriggerQueue();
             CronScheduler scheduler = new CronScheduler(queue, clock)) {
            queue.subscribe(TriggerHandler.of(t -> { }));
            scheduler.update(idle);
            scheduler.start();
            sleepMillis(2000);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long id = schedulerThreadId();
            threadCpuStart = threads.getThreadCpuTime(id);
            schedulerCpu = cpuOver(idleSeconds);
            threadCpu = threads.getThreadCpuTime(id) - threadCpuStart;
        }
        long windowNanos = Duration.ofSeconds(idleSeconds).toNanos();
        out("## Idle CPU (" + jobs + " jobs none of which fires in the window: `" + String.join("`, `", IDLE_MIX)
                + "`)");
        out("");
        out("| " + idleSeconds + " s window | process CPU ms | % of one core |");
        out("|---|---|---|");
        out("| baseline: no scheduler | " + baseline / 1_000_000 + " | " + pct(baseline, windowNanos) + " |");
        out("| scheduler with " + jobs + " idle jobs | " + schedulerCpu / 1_000_000 + " | "
                + pct(schedulerCpu, windowNanos) + " |");
        out("| difference | " + (schedulerCpu - baseline) / 1_000_000 + " | "
                + pct(schedulerCpu - baseline, windowNanos) + " |");
        out("| the `cron-scheduler` thread alone | " + String.format("%.3f", threadCpu / 1e6) + " | "
                + pct(threadCpu, windowNanos) + " |");
    }

    private long cpuOver(int seconds) throws Exception {
        long cpu0 = processCpuNanos();
        sleepMillis(seconds * 1000L);
        return processCpuNanos() - cpu0;
    }

    private static long schedulerThreadId() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("cron-scheduler")) {
                return t.getId();
            }
        }
        throw new IllegalStateException("no cron-scheduler thread");
    }

    // ---- helpers

    private Map<String, CronSchedule> jobs(List<String> expressions, String prefix) {
        Map<String, CronSchedule> schedules = new LinkedHashMap<>();
        ZoneId zone = ZoneOffset.UTC;
        for (int i = 0; i < jobs; i++) {
            schedules.put(prefix + "-" + i, CronParser.parse(expressions.get(i % expressions.size()), zone));
        }
        return schedules;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private void sleepUntil(Instant until) throws InterruptedException {
        long millis = Duration.between(clock.instant(), until).toMillis();
        if (millis > 0) {
            sleepMillis(millis);
        }
    }

    private static void sleepMillis(long millis) throws InterruptedException {
        Thread.sleep(millis); // a benchmark's measuring window, not synchronisation
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(sorted.length * p))];
    }

    private static String ms(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    private static String pct(long cpuNanos, long wallNanos) {
        return String.format("%.3f", 100.0 * cpuNanos / wallNanos);
    }

    private static void out(String line) {
        System.out.println(line);
    }
}
