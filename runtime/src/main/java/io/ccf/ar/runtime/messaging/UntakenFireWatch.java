package io.ccf.ar.runtime.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.schedule.Trigger;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;

/**
 * Watches the fires this runtime stored in the shared schedule until some runtime takes them, and hands over those
 * nobody took in time. A trigger JetStream acknowledged can still never reach a runtime: its consumer stuck without a
 * leader, the stream purged or its messages aged out, a server that loses what it acknowledged. Nothing would say so;
 * the fire would simply not run.
 *
 * <p>Every runtime announces each trigger it takes (delivered from the schedule, or run locally) on {@value #SUBJECT}
 * (core NATS, the fire id as the body), and every runtime listens. The runtime whose publish stored a fire (not the
 * ones whose copies were duplicates, so one runtime per fire) expects its announcement by fire time + {@code
 * deadline}; a fire not announced by then goes to {@code onUntaken}, once, to be run here. A lost announcement (a
 * disconnect) only makes a fire run twice: at least once, never not at all.
 */
final class UntakenFireWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UntakenFireWatch.class);
    /** Where runtimes announce the triggers they take. */
    static final String SUBJECT = "runtime.fire.taken";
    private static final long CHECK_INTERVAL_MILLIS = 500;
    private static final Duration LATE_GRACE = Duration.ofSeconds(2);

    private final Connection connection;
    private final Duration deadline;
    private final Clock clock;
    private final Consumer<Trigger> onUntaken;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    /** Fires announced lately (by any runtime), so an announcement that beats the publish ack still counts. */
    private final Map<String, Instant> announced = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor checker;
    private Dispatcher dispatcher;
    private volatile boolean closed;
    private volatile boolean started; // only a runtime that takes triggers watches (and runs) what it stored

    private record Watched(Trigger trigger, Instant due) {
    }

    /**
     * @param deadline how long after its fire time a stored fire may go untaken
     * @param onUntaken runs a fire nobody took (called on the watch's own thread; must not block long)
     */
    UntakenFireWatch(Connection connection, Duration deadline, Clock clock, Consumer<Trigger> onUntaken) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onUntaken = Objects.requireNonNull(onUntaken, "onUntaken");
        this.checker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "untaken-fire-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens for announcements and starts checking deadlines. */
    synchronized void start() {
        if (closed || dispatcher != null) {
            return;
        }
        dispatcher = connection.createDispatcher(message -> taken(new String(message.getData(), StandardCharsets.UTF_8)));
        dispatcher.subscribe(SUBJECT);
        checker.scheduleWithFixedDelay(this::check, CHECK_INTERVAL_MILLIS, CHECK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        started = true;
    }

    /** This runtime stored {@code trigger}: expect a runtime to take it by its fire time + deadline. */
    void expect(Trigger trigger) {
        if (!closed && started && !announced.containsKey(trigger.fireId())) {
            // a fire stored late (past its deadline already) gets a moment for the delivery that is on its way
            Instant due = trigger.fireTime().plus(deadline);
            Instant soonest = clock.instant().plus(LATE_GRACE);
            watched.put(trigger.fireId(), new Watched(trigger, due.isBefore(soonest) ? soonest : due));
            if (announced.containsKey(trigger.fireId())) { // announced meanwhile
                watched.remove(trigger.fireId());
            }
        }
    }

    private void taken(String fireId) {
        announced.put(fireId, clock.instant());
        watched.remove(fireId);
    }

    /** This runtime takes {@code trigger}: tells every runtime (best effort: a lost notice means a second run). */
    void announce(Trigger trigger) {
        taken(trigger.fireId());
        if (connection.getStatus() != Connection.Status.CONNECTED) {
            return; // buffered notices would only arrive after the deadlines they were meant for
        }
        try {
            connection.publish(SUBJECT, trigger.fireId().getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            log.atDebug().addKeyValue("fire", trigger.fireId()).addKeyValue("reason", e.getMessage())
                    .log("taken notice not sent");
        }
    }

    private void check() {
        try {
            Instant now = clock.instant();
            Instant forgetBefore = now.minus(deadline).minusSeconds(60);
            announced.values().removeIf(at -> at.isBefore(forgetBefore));
            List<Watched> due = new ArrayList<>();
            watched.values().forEach(w -> {
                if (!w.due().isAfter(now)) {
                    due.add(w);
                }
            });
            due.sort((a, b) -> a.trigger().fireTime().compareTo(b.trigger().fireTime()));
            for (Watched w : due) {
                if (closed || !watched.remove(w.trigger().fireId(), w)) {
                    continue;
                }
                log.atWarn().addKeyValue("job", w.trigger().jobId()).addKeyValue("fireTime", w.trigger().fireTime())
                        .addKeyValue("deadlineMs", deadline.toMillis())
                        .log("a fire stored in the shared schedule was not taken by any runtime in time: it runs here");
                onUntaken.accept(w.trigger());
            }
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("checking untaken fires failed");
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        checker.shutdownNow();
        if (dispatcher != null) {
            try {
                connection.closeDispatcher(dispatcher);
            } catch (RuntimeException ignored) {
                // the connection is closing
            }
        }
        watched.clear();
    }
}
