package io.ccf.ar.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.ccf.ar.runtime.config.MetricsSettings;
import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.ccf.ar.runtime.schedule.Trigger;
import io.ccf.ar.runtime.schedule.TriggerHandler;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.ccf.ar.runtime.testing.Processes;

/** Liveness of the scheduler with a real CronScheduler thread whose trigger queue stops returning. */
class HealthChecksTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A queue whose publish blocks until the gate opens, as a wedged hand-over would. */
    private static final class GatedQueue implements TriggerQueue {
        final CountDownLatch gate = new CountDownLatch(1);

        @Override
        public void publish(Trigger trigger) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void subscribe(TriggerHandler handler) {
        }

        @Override
        public void close() {
            gate.countDown();
        }
    }

    private static boolean alive(HealthChecks checks) {
        try {
            return checks.liveness().ok();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSchedulerStuckHandingOverAFireFailsLivenessUntilItReturns() throws Exception {
        Operations ops = new Operations(MetricsSettings.OFF, Clock.systemUTC());
        GatedQueue queue = new GatedQueue();
        CronScheduler scheduler = new CronScheduler(ops.watchFires(queue), Clock.systemUTC());
        AtomicBoolean stopping = new AtomicBoolean();
        RuntimeView view = new RuntimeView(Map::of, () -> Optional.of(scheduler), Optional::empty, Optional.empty(),
                Optional.empty(), stopping::get);
        FireMonitor monitor = ops.fireMonitor().orElseThrow();
        HealthChecks checks = new HealthChecks(view, monitor::publishing, Clock.systemUTC(), Duration.ofMillis(200));
        try {
            assertEquals("starting", checks.liveness().checks().get("scheduler").detail(),
                    "created, not started yet (the daemon sets it up, then starts it): " + checks.liveness());
            assertTrue(checks.liveness().ok());
            scheduler.update(Map.of("j", CronParser.parse("@every 1s", ZoneOffset.UTC)));
            scheduler.start();

            assertTrue(Processes.eventually(TIMEOUT, () -> !alive(checks)), "stuck hand-over not seen");
            HealthReport stuck = checks.liveness();
            assertTrue(stuck.checks().get("scheduler").detail().contains("handing over the fire of job j"),
                    stuck.toString());
            assertTrue(checks.readiness().ok(), "stuck is a liveness matter: " + checks.readiness());

            queue.gate.countDown();
            assertTrue(Processes.eventually(TIMEOUT, () -> alive(checks)), "not alive again: " + checks.liveness());
        } finally {
            queue.gate.countDown();
            scheduler.close();
        }
        // closed while the daemon is not stopping: its thread is gone
        HealthReport dead = checks.liveness();
        assertFalse(dead.ok(), dead.toString());
        assertEquals("the scheduler thread is not running", dead.checks().get("scheduler").detail());
        stopping.set(true);
        assertTrue(checks.liveness().ok(), "stopping: " + checks.liveness());
        assertFalse(checks.readiness().ok(), "not ready once stopping: " + checks.readiness());
    }
}
