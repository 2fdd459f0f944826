package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduler thread on the real clock. Tests wait on queues and latches with generous timeouts; the only timed
 * waits that are not synchronisation prove that something does <em>not</em> happen.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CronSchedulerThreadTest {
    private static final long GENEROUS_SECONDS = 5;

    private final Clock clock = Clock.systemUTC();
    private final InProcessTriggerQueue queue = new InProcessTriggerQueue();
    /** Each trigger with the time it was published. */
    private final BlockingQueue<Fire> fires = new LinkedBlockingQueue<>();
    private final CronScheduler scheduler = new CronScheduler(queue, clock);

    private record Fire(Trigger trigger, Instant publishedAt) {
        String jobId() {
            return trigger.jobId();
        }

        Instant fireTime() {
            return trigger.fireTime();
        }
    }

    private void recordFires() {
        queue.subscribe(TriggerHandler.of(t -> fires.add(new Fire(t, clock.instant()))));
    }

    @AfterEach
    void close() {
        scheduler.close();
        queue.close();
    }

    @Test
    void anEverySecondJobFiresOncePerSecondOnWholeSeconds() throws InterruptedException {
        recordFires();
        scheduler.update(Map.of("a", cron("* * * * * *")));
        scheduler.start();
        List<Fire> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            got.add(next("a"));
        }
        for (int i = 0; i < got.size(); i++) {
            Fire fire = got.get(i);
            assertEquals(0, fire.fireTime().getNano(), "fire times are whole seconds: " + fire);
            assertFalse(fire.publishedAt().isBefore(fire.fireTime()), "never early: " + fire);
            assertTrue(Duration.between(fire.fireTime(), fire.publishedAt()).toMillis() < 1000, "late: " + fire);
            if (i > 0) {
                long gap = Duration.between(got.get(i - 1).fireTime(), fire.fireTime()).toSeconds();
                assertTrue(gap == 1 || gap == 2, "one fire per second (two after a stall): " + got);
            }
        }
    }

    @Test
    void updatesAddRemoveAndChangeJobsLive() throws InterruptedException {
        recordFires();
        scheduler.update(Map.of("a", cron("* * * * * *"), "later", cron("0 0 0 1 1 *")));
        scheduler.start();
        next("a");

        // remove a, add b, change "later" to fire every second
        scheduler.update(Map.of("b", cron("* * * * * *"), "later", cron("* * * * * *")));
        Instant updated = clock.instant();
        Set<String> seen = new HashSet<>();
        while (!seen.containsAll(Set.of("b", "later"))) {
            Fire fire = fires.poll(GENEROUS_SECONDS, TimeUnit.SECONDS);
            assertNotNull(fire, "b and the changed job fire; seen " + seen);
            if (fire.jobId().equals("a")) {
                // only a fire that was already due when update() was called
                assertFalse(fire.fireTime().isAfter(updated), "a removed job fired: " + fire);
            }
            seen.add(fire.jobId());
        }
        // a second round: a is really gone
        Fire fire;
        int b = 0;
        while (b < 2 && (fire = fires.poll(GENEROUS_SECONDS, TimeUnit.SECONDS)) != null) {
            assertTrue(!fire.jobId().equals("a") || !fire.fireTime().isAfter(updated), "a removed job fired: " + fire);
            b += fire.jobId().equals("b") ? 1 : 0;
        }
        assertEquals(2, b);
    }

    @Test
    void repeatedUpdatesOfTheSameJobNeverDoubleItsFires() throws InterruptedException {
        recordFires();
        scheduler.update(Map.of("a", cron("* * * * * *")));
        scheduler.start();
        Instant first = next("a").fireTime();
        Instant end = first.plusSeconds(3);

        List<Instant> fireTimes = new ArrayList<>();
        int updates = 0;
        Instant latest = first;
        while (latest.isBefore(end)) {
            // The queue poll paces the updates (about 20 a second); the same job, parsed anew each time.
            scheduler.update(Map.of("a", cron("* * * * * *"), "other-" + (updates % 3), cron("0 0 0 1 1 *")));
            updates++;
            Fire fire = fires.poll(50, TimeUnit.MILLISECONDS);
            if (fire != null && fire.jobId().equals("a")) {
                fireTimes.add(fire.fireTime());
                latest = fire.fireTime();
            }
            assertTrue(Duration.between(first, clock.instant()).toSeconds() < 3 + GENEROUS_SECONDS, "a stopped");
        }
        assertEquals(new HashSet<>(fireTimes).size(), fireTimes.size(), "a fire time fired twice: " + fireTimes);
        assertTrue(fireTimes.size() >= 2 && fireTimes.size() <= 4, "expected 3±1 fires in 3 s: " + fireTimes);
        assertTrue(updates > 10, "updates: " + updates);
    }

    @Test
    void aThrowingHandlerDoesNotStopTheOtherJobs() throws InterruptedException {
        CountDownLatch badCalls = new CountDownLatch(2);
        CountDownLatch goodCalls = new CountDownLatch(2);
        queue.subscribe(TriggerHandler.of(t -> {
            if (t.jobId().equals("bad")) {
                badCalls.countDown();
                throw new IllegalStateException("the handler fails for " + t.jobId());
            }
            goodCalls.countDown();
        }));
        scheduler.update(Map.of("bad", cron("* * * * * *"), "good", cron("* * * * * *")));
        scheduler.start();
        assertTrue(badCalls.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertTrue(goodCalls.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        assertTrue(scheduler.isRunning());
    }

    @Test
    void closeStopsFiring() throws InterruptedException {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicInteger afterClose = new AtomicInteger();
        CountDownLatch fired = new CountDownLatch(1);
        queue.subscribe(TriggerHandler.of(t -> {
            if (closed.get()) {
                afterClose.incrementAndGet();
            }
            fired.countDown();
        }));
        scheduler.update(Map.of("a", cron("* * * * * *"), "b", cron("* * * * * *")));
        scheduler.start();
        assertTrue(fired.await(GENEROUS_SECONDS, TimeUnit.SECONDS));
        scheduler.close();
        closed.set(true); // close() has joined the thread: any handler call from now on is a fire after close
        assertFalse(scheduler.isRunning());
        // Proving a negative takes a wait: more than one fire period passes without a fire.
        Thread.sleep(1500);
        assertEquals(0, afterClose.get());
    }

    @Test
    void theThreadSleepsUntilTheEarliestFireAndAnUpdateWakesItEarly() throws InterruptedException {
        recordFires();
        scheduler.update(Map.of("yearly", cron("0 0 0 1 1 *"), "never", cron("0 0 0 30 2 *")));
        scheduler.start();
        long wakeUpsBefore = scheduler.wakeUps();
        // Not synchronisation: a window in which a polling loop would wake up many times.
        Thread.sleep(1500);
        assertTrue(scheduler.wakeUps() - wakeUpsBefore <= 1, "woke up " + (scheduler.wakeUps() - wakeUpsBefore));

        scheduler.update(Map.of("yearly", cron("0 0 0 1 1 *"), "a", cron("* * * * * *")));
        Fire fire = next("a");
        assertTrue(Duration.between(fire.fireTime(), fire.publishedAt()).toMillis() < 1000, "late: " + fire);
    }

    private Fire next(String jobId) throws InterruptedException {
        while (true) {
            Fire fire = fires.poll(GENEROUS_SECONDS, TimeUnit.SECONDS);
            assertNotNull(fire, "no fire of " + jobId + " within " + GENEROUS_SECONDS + " s");
            if (fire.jobId().equals(jobId)) {
                return fire;
            }
        }
    }

    private static CronSchedule cron(String expression) {
        return CronParser.parse(expression, ZoneOffset.UTC);
    }
}
