package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduler's rules, deterministically: a test clock for "now" when jobs are added, and {@code fireDue(now)}
 * for what the thread does when it wakes up at {@code now}. No thread, no waiting (except the lifecycle test).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CronSchedulerTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private final MutableClock clock = MutableClock.at("2024-05-01T10:00:00.500Z");
    private final InProcessTriggerQueue queue = new InProcessTriggerQueue();
    private final List<Trigger> fired = new ArrayList<>();
    private final CronScheduler scheduler = new CronScheduler(queue, clock);

    @BeforeEach
    void subscribe() {
        queue.subscribe(TriggerHandler.of(fired::add));
    }

    @AfterEach
    void close() {
        scheduler.close();
        queue.close();
    }

    @Test
    void aNewJobFiresAtTheFirstFireTimeAfterNow() {
        scheduler.update(Map.of("a", cron("* * * * * *"), "b", cron("*/5 * * * * *"), "c", cron("0 0 12 * * *")));
        assertEquals(Optional.of(at("2024-05-01T10:00:01Z")), scheduler.nextFire("a"));
        assertEquals(Optional.of(at("2024-05-01T10:00:05Z")), scheduler.nextFire("b"));
        assertEquals(Optional.of(at("2024-05-01T12:00:00Z")), scheduler.nextFire("c"));
        assertEquals(Optional.empty(), scheduler.nextFire("unknown"));
    }

    @Test
    void onlyDueJobsFireAndTheTriggerCarriesTheScheduledFireTime() {
        scheduler.update(Map.of("a", cron("* * * * * *"), "b", cron("*/5 * * * * *")));

        assertEquals(List.of(), scheduler.fireDue(at("2024-05-01T10:00:00.999Z")));
        assertEquals(List.of(), fired);

        List<Trigger> due = scheduler.fireDue(at("2024-05-01T10:00:01.003Z"));
        assertEquals(List.of(trigger("a", "2024-05-01T10:00:01Z")), due);
        assertEquals(due, fired);
        assertEquals(Optional.of(at("2024-05-01T10:00:02Z")), scheduler.nextFire("a"));
        assertEquals(Optional.of(at("2024-05-01T10:00:05Z")), scheduler.nextFire("b"));

        fired.clear();
        scheduler.fireDue(at("2024-05-01T10:00:02Z")); // exactly on time is due
        assertEquals(List.of(trigger("a", "2024-05-01T10:00:02Z")), fired);
    }

    @Test
    void afterAStallAJobFiresOnceAndItsNextFireIsComputedFromTheWakeUpTime() {
        scheduler.update(Map.of("a", cron("* * * * * *"), "every10s", cron("@every 10s")));
        assertEquals(Optional.of(at("2024-05-01T10:00:10Z")), scheduler.nextFire("every10s"));

        // Six fire times of "a" and two of "every10s" were missed: each fires once, for its first missed time.
        scheduler.fireDue(at("2024-05-01T10:00:27.250Z"));
        assertEquals(List.of(trigger("a", "2024-05-01T10:00:01Z"), trigger("every10s", "2024-05-01T10:00:10Z")),
                fired);
        assertEquals(Optional.of(at("2024-05-01T10:00:28Z")), scheduler.nextFire("a"));
        assertEquals(Optional.of(at("2024-05-01T10:00:30Z")), scheduler.nextFire("every10s")); // Next(now), epoch-aligned
    }

    @Test
    void jobsOnTheSameScheduleShareOneNextComputationPerWakeUp() {
        Map<String, CronSchedule> jobs = new LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            jobs.put("every-" + i, cron("* * * * * *"));
            jobs.put("even-" + i, cron("*/2 * * * * *"));
        }
        jobs.put("even-kolkata", CronParser.parse("*/2 * * * * *", ZoneId.of("Asia/Kolkata"))); // another zone
        long before = scheduler.nextComputations();
        scheduler.update(jobs);
        assertEquals(3, scheduler.nextComputations() - before);

        before = scheduler.nextComputations();
        List<Trigger> due = scheduler.fireDue(at("2024-05-01T10:00:02.001Z"));
        assertEquals(2001, due.size());
        assertEquals(3, scheduler.nextComputations() - before);
        assertEquals(Optional.of(at("2024-05-01T10:00:03Z")), scheduler.nextFire("every-999"));
        assertEquals(Optional.of(at("2024-05-01T10:00:04Z")), scheduler.nextFire("even-999"));
        assertEquals(Optional.of(at("2024-05-01T10:00:04Z")), scheduler.nextFire("even-kolkata"));
        // every job fired once, for its own fire time
        assertEquals(2001, new HashSet<>(due.stream().map(Trigger::jobId).toList()).size());
        assertEquals(at("2024-05-01T10:00:01Z"),
                due.stream().filter(t -> t.jobId().equals("every-5")).findFirst().orElseThrow().fireTime());
        assertEquals(at("2024-05-01T10:00:02Z"),
                due.stream().filter(t -> t.jobId().equals("even-5")).findFirst().orElseThrow().fireTime());
    }

    @Test
    void jobsOnTheSameScheduleDueAtDifferentTimesAreRescheduledTogether() {
        scheduler.update(Map.of("x", cron("@every 10s")));
        clock.set("2024-05-01T10:00:03.200Z");
        scheduler.update(Map.of("x", cron("@every 10s"), "y", cron("@every 10s")));
        assertEquals(Optional.of(at("2024-05-01T10:00:10Z")), scheduler.nextFire("x"));
        // @every is aligned to the Unix epoch: a job added later gets the same fire times, not its own phase
        assertEquals(Optional.of(at("2024-05-01T10:00:10Z")), scheduler.nextFire("y"));

        scheduler.fireDue(at("2024-05-01T10:00:20Z"));
        assertEquals(List.of(trigger("x", "2024-05-01T10:00:10Z"), trigger("y", "2024-05-01T10:00:10Z")), fired);
        assertEquals(Optional.of(at("2024-05-01T10:00:30Z")), scheduler.nextFire("x"));
        assertEquals(Optional.of(at("2024-05-01T10:00:30Z")), scheduler.nextFire("y"));

        fired.clear();
        scheduler.fireDue(at("2024-05-01T10:00:30Z"));
        assertEquals(List.of(trigger("x", "2024-05-01T10:00:30Z"), trigger("y", "2024-05-01T10:00:30Z")), fired);
    }

    @Test
    void anUnchangedJobKeepsItsNextFire() {
        scheduler.update(Map.of("a", cron("@every 10s")));
        clock.set("2024-05-01T10:00:10.700Z"); // its fire time passed, and it has not fired yet
        scheduler.update(Map.of("a", cron("@every 10s"), "b", cron("* * * * * *"))); // a freshly parsed equal schedule
        assertEquals(Optional.of(at("2024-05-01T10:00:10Z")), scheduler.nextFire("a")); // not 10:00:20
    }

    @Test
    void aChangedExpressionOrZoneGetsAFreshNextFire() {
        scheduler.update(Map.of("a", cron("@every 10s"), "noon", cron("0 0 12 * * *")));
        clock.set("2024-05-01T10:00:03.700Z");
        scheduler.update(Map.of("a", cron("@every 5s"),
                "noon", CronParser.parse("0 0 12 * * *", ZoneId.of("America/New_York"))));
        assertEquals(Optional.of(at("2024-05-01T10:00:05Z")), scheduler.nextFire("a"));
        assertEquals(Optional.of(at("2024-05-01T16:00:00Z")), scheduler.nextFire("noon"));

        scheduler.fireDue(at("2024-05-01T10:00:06.001Z"));
        assertEquals(List.of(trigger("a", "2024-05-01T10:00:05Z")), fired);
        assertEquals(Optional.of(at("2024-05-01T10:00:10Z")), scheduler.nextFire("a")); // the old 10:00:10 entry did not double
    }

    @Test
    void removedJobsStopFiring() {
        scheduler.update(Map.of("a", cron("* * * * * *"), "b", cron("* * * * * *")));
        scheduler.update(Map.of("b", cron("* * * * * *")));
        assertEquals(Optional.empty(), scheduler.nextFire("a"));
        scheduler.fireDue(at("2024-05-01T10:00:01Z"));
        assertEquals(List.of(trigger("b", "2024-05-01T10:00:01Z")), fired);

        fired.clear();
        scheduler.update(Map.of());
        assertEquals(List.of(), scheduler.fireDue(at("2024-05-01T11:00:00Z")));
        assertEquals(List.of(), fired);
    }

    /** The Go daemon added a second cron entry when a plan was updated, so the job then ran twice per fire. */
    @Test
    void updatingAJobAgainAndAgainNeverDoublesItsFires() {
        for (int second = 1; second <= 10; second++) {
            Instant fireTime = at("2024-05-01T10:00:00Z").plusSeconds(second);
            for (int update = 0; update < 3; update++) {
                clock.set(fireTime.minusMillis(900 - 300 * update)); // between the previous fire and this one
                Map<String, CronSchedule> jobs = new HashMap<>();
                jobs.put("a", cron("* * * * * *")); // the same job, each time parsed anew
                jobs.put("other-" + second, cron("* * * * * *")); // while other jobs come and go
                scheduler.update(jobs);
            }
            scheduler.fireDue(fireTime.plusMillis(2));
        }
        List<Instant> fireTimesOfA = fired.stream().filter(t -> t.jobId().equals("a")).map(Trigger::fireTime).toList();
        List<Instant> expected = new ArrayList<>();
        for (int second = 1; second <= 10; second++) {
            expected.add(at("2024-05-01T10:00:00Z").plusSeconds(second));
        }
        assertEquals(expected, fireTimesOfA);
    }

    @Test
    void changingAJobBackAndForthNeverDoublesItsFires() {
        scheduler.update(Map.of("a", cron("* * * * * *")));
        clock.set("2024-05-01T10:00:00.600Z");
        scheduler.update(Map.of("a", cron("*/1 * * * * *")));
        clock.set("2024-05-01T10:00:00.700Z");
        scheduler.update(Map.of("a", cron("* * * * * *")));
        scheduler.fireDue(at("2024-05-01T10:00:01.001Z"));
        scheduler.fireDue(at("2024-05-01T10:00:02.001Z"));
        assertEquals(List.of(trigger("a", "2024-05-01T10:00:01Z"), trigger("a", "2024-05-01T10:00:02Z")), fired);
    }

    @Test
    void aScheduleThatNeverFiresIsKeptButNeverFires() {
        scheduler.update(Map.of("feb30", cron("0 0 0 30 2 *"), "a", cron("* * * * * *")));
        assertEquals(Optional.empty(), scheduler.nextFire("feb30"));
        scheduler.fireDue(at("2030-01-01T00:00:00Z"));
        assertEquals(List.of(trigger("a", "2024-05-01T10:00:01Z")), fired);

        scheduler.update(Map.of("feb30", cron("0 0 0 30 2 *"))); // kept, unchanged
        scheduler.update(Map.of("feb30", cron("0 0 0 28 2 *"))); // changed: now it fires
        assertEquals(Optional.of(at("2025-02-28T00:00:00Z")), scheduler.nextFire("feb30"));
        scheduler.update(Map.of("feb30", cron("0 0 0 30 2 *")));
        assertEquals(Optional.empty(), scheduler.nextFire("feb30"));
        scheduler.update(Map.of()); // and can be removed
        assertEquals(Optional.empty(), scheduler.nextFire("feb30"));
    }

    @Test
    void aThrowingHandlerDoesNotStopTheOtherJobs() {
        List<Trigger> handled = new ArrayList<>();
        try (InProcessTriggerQueue failing = new InProcessTriggerQueue();
             CronScheduler withFailures = new CronScheduler(failing, clock)) {
            failing.subscribe(TriggerHandler.of(t -> {
                if (t.jobId().startsWith("bad")) {
                    throw new IllegalStateException("handler failed for " + t.jobId());
                }
                handled.add(t);
            }));
            Map<String, CronSchedule> jobs = new LinkedHashMap<>();
            jobs.put("bad-1", cron("* * * * * *"));
            jobs.put("good", cron("* * * * * *"));
            jobs.put("bad-2", cron("* * * * * *"));
            withFailures.update(jobs);
            assertEquals(3, withFailures.fireDue(at("2024-05-01T10:00:01Z")).size());
            withFailures.fireDue(at("2024-05-01T10:00:02Z"));
            assertEquals(List.of(trigger("good", "2024-05-01T10:00:01Z"), trigger("good", "2024-05-01T10:00:02Z")),
                    handled);
            assertEquals(Optional.of(at("2024-05-01T10:00:03Z")), withFailures.nextFire("bad-1"));
        }
    }

    @Test
    void anInvalidUpdateChangesNothing() {
        scheduler.update(Map.of("a", cron("* * * * * *")));
        Map<String, CronSchedule> withNull = new HashMap<>();
        withNull.put("b", cron("* * * * * *"));
        withNull.put("c", null);
        assertThrows(NullPointerException.class, () -> scheduler.update(withNull));
        assertThrows(NullPointerException.class, () -> scheduler.update(null));
        assertEquals(Optional.of(at("2024-05-01T10:00:01Z")), scheduler.nextFire("a"));
        assertEquals(Optional.empty(), scheduler.nextFire("b"));
    }

    @Test
    void startComputesEveryNextFireFromTheStartTime() {
        scheduler.update(Map.of("a", cron("* * * * * *")));
        clock.set("2024-05-01T10:05:00.200Z");
        scheduler.start(); // the thread sleeps: the test clock does not move
        assertEquals(Optional.of(at("2024-05-01T10:05:01Z")), scheduler.nextFire("a"));
    }

    @Test
    void lifecycle() {
        scheduler.start();
        assertTrue(scheduler.isRunning());
        assertThrows(IllegalStateException.class, scheduler::start);
        scheduler.close();
        assertEquals(false, scheduler.isRunning()); // close() waits for the thread
        scheduler.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> scheduler.update(Map.of()));
        assertThrows(IllegalStateException.class, scheduler::start);

        CronScheduler neverStarted = new CronScheduler(queue, clock);
        neverStarted.close();
        assertThrows(IllegalStateException.class, neverStarted::start);
    }

    private static CronSchedule cron(String expression) {
        return CronParser.parse(expression, UTC);
    }

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    private static Trigger trigger(String jobId, String fireTime) {
        return new Trigger(jobId, Instant.parse(fireTime));
    }
}
