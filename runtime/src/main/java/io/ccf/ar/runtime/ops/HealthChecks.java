package io.ccf.ar.runtime.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.ccf.ar.runtime.messaging.JetStreamResultSink;
import io.ccf.ar.runtime.messaging.NatsLink;
import io.ccf.ar.runtime.plugin.PluginState;
import io.ccf.ar.runtime.schedule.CronScheduler;
import io.nats.client.Connection;

/**
 * Liveness ({@code /healthz}: the process is not wedged) and readiness ({@code /readyz}: it does its work), computed
 * from the running daemon at each probe.
 *
 * <p>Liveness fails only for what a restart would cure: the scheduler thread died, or is stuck (a fire due more than
 * {@link #STUCK_AFTER} ago not taken, or a hand-over to the trigger queue going on that long), or the NATS connection
 * is closed for good (the link reconnects forever, so CLOSED means its threads are gone). NATS being away is not a
 * liveness failure: the runtime schedules locally and spools results meanwhile.
 *
 * <p>Readiness: the plugins' first start is over (each READY, or FAILED / RESTARTING with backoff: a broken plugin does
 * not keep the runtime from running the others), the scheduler runs on the shared schedule or the local fallback,
 * and the result spool's directory is writable. Not ready while starting and once stopping.
 */
final class HealthChecks {
    /** Longer than the scheduler's longest sleep (one minute), so a clock step is not taken for a stuck thread. */
    static final Duration STUCK_AFTER = Duration.ofSeconds(90);
    private static final Duration LOCK_WAIT = Duration.ofSeconds(2);

    private final RuntimeView view;
    private final Supplier<Optional<FireMonitor.Publishing>> publishing;
    private final Clock clock;
    private final Duration stuckAfter;
    /** The scheduler a probe has seen running: only one that ran can be dead (else it is still starting). */
    private final AtomicReference<CronScheduler> seenRunning = new AtomicReference<>();

    HealthChecks(RuntimeView view, Supplier<Optional<FireMonitor.Publishing>> publishing, Clock clock) {
        this(view, publishing, clock, STUCK_AFTER);
    }

    /** {@code stuckAfter}: how long a due fire or a hand-over may wait before the scheduler counts as stuck. */
    HealthChecks(RuntimeView view, Supplier<Optional<FireMonitor.Publishing>> publishing, Clock clock,
                 Duration stuckAfter) {
        this.stuckAfter = stuckAfter;
        this.view = view;
        this.publishing = publishing;
        this.clock = clock;
    }

    HealthReport liveness() throws InterruptedException {
        Map<String, HealthReport.Check> checks = new LinkedHashMap<>();
        checks.put("scheduler", schedulerAlive());
        view.nats().ifPresent(nats -> checks.put("nats", natsAlive(nats)));
        return HealthReport.of(checks, Map.of());
    }

    HealthReport readiness() {
        Map<String, HealthReport.Check> checks = new LinkedHashMap<>();
        if (view.stopping().getAsBoolean()) {
            checks.put("runtime", new HealthReport.Check(false, "stopping"));
        }
        checks.put("plugins", plugins());
        checks.put("schedule", schedule());
        checks.put("spool", spool());
        Map<String, String> info = new LinkedHashMap<>();
        view.nats().ifPresent(nats -> info.put("nats", natsStatus(nats)));
        return HealthReport.of(checks, info);
    }

    private HealthReport.Check schedulerAlive() throws InterruptedException {
        Optional<CronScheduler> scheduler = view.scheduler().get();
        if (scheduler.isEmpty()) {
            return new HealthReport.Check(true, "not started yet (plugins starting)");
        }
        if (view.stopping().getAsBoolean()) {
            return new HealthReport.Check(true, "stopping");
        }
        if (!scheduler.get().isRunning()) {
            return seenRunning.get() == scheduler.get()
                    ? new HealthReport.Check(false, "the scheduler thread is not running")
                    : new HealthReport.Check(true, "starting");
        }
        seenRunning.set(scheduler.get());
        Optional<FireMonitor.Publishing> busy = publishing.get();
        if (busy.isPresent() && busy.get().elapsed().compareTo(stuckAfter) > 0) {
            return new HealthReport.Check(false, "the scheduler thread has been handing over the fire of job "
                    + busy.get().trigger().jobId() + " for " + busy.get().elapsed().toSeconds() + " s");
        }
        Optional<Instant> pending = scheduler.get().earliestPendingFire(LOCK_WAIT);
        if (pending.isPresent() && pending.get().equals(Instant.MIN)) {
            return new HealthReport.Check(false, "the scheduler's lock has been held for more than "
                    + LOCK_WAIT.toSeconds() + " s");
        }
        Instant now = clock.instant();
        if (pending.isPresent() && Duration.between(pending.get(), now).compareTo(stuckAfter) > 0) {
            return new HealthReport.Check(false, "a fire due at " + pending.get() + " has not been taken by the"
                    + " scheduler thread for " + Duration.between(pending.get(), now).toSeconds() + " s");
        }
        return new HealthReport.Check(true, "running; next fire " + pending.map(Instant::toString).orElse("none"));
    }

    private HealthReport.Check natsAlive(NatsLink nats) {
        Optional<Connection.Status> status = nats.connection().map(Connection::getStatus);
        if (status.isPresent() && status.get() == Connection.Status.CLOSED && !view.stopping().getAsBoolean()) {
            return new HealthReport.Check(false, "the NATS connection is closed and will not reconnect");
        }
        return new HealthReport.Check(true, natsStatus(nats));
    }

    private static String natsStatus(NatsLink nats) {
        return nats.connection().map(c -> c.getStatus().name()).orElse("CONNECTING (never connected yet)");
    }

    private HealthReport.Check plugins() {
        if (view.scheduler().get().isEmpty()) {
            return new HealthReport.Check(false, "starting: the plugins' first start is not over");
        }
        Map<String, PluginState> states = new TreeMap<>();
        view.pluginStates().get().forEach((ref, state) -> states.put(ref.toString(), state));
        long starting = states.values().stream().filter(s -> s == PluginState.NEW || s == PluginState.STARTING).count();
        long failing = states.values().stream().filter(s -> s == PluginState.FAILED || s == PluginState.RESTARTING).count();
        String detail = states.isEmpty() ? "no plugins" : states.toString();
        if (starting > 0) {
            return new HealthReport.Check(false, starting + " starting: " + detail);
        }
        return new HealthReport.Check(true, (failing > 0 ? failing + " failing, restarted with backoff: " : "started: ")
                + detail);
    }

    private HealthReport.Check schedule() {
        Optional<CronScheduler> scheduler = view.scheduler().get();
        if (scheduler.isEmpty() || !scheduler.get().isRunning()) {
            return new HealthReport.Check(false, "the scheduler is not running");
        }
        return switch (RuntimeMetrics.scheduleMode(view)) {
            case "shared" -> new HealthReport.Check(true, "on the shared schedule (JetStream)");
            case "local" -> new HealthReport.Check(true, "local fallback: the shared schedule is away; this runtime"
                    + " runs its own fires until it is back");
            default -> new HealthReport.Check(true, "standalone (no event bus)");
        };
    }

    private HealthReport.Check spool() {
        Optional<JetStreamResultSink> results = view.results();
        if (results.isEmpty()) {
            return new HealthReport.Check(true, "not used (no event bus: results go to the log)");
        }
        Path dir = results.get().spool().dir();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return new HealthReport.Check(false, "the spool directory " + dir + " is not writable");
        }
        return new HealthReport.Check(true, results.get().spool().count() + " result(s) waiting in " + dir);
    }
}
