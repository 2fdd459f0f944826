package io.ccf.ar.runtime.app;

import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.messaging.NatsLink;
import io.ccf.ar.runtime.messaging.Redaction;
import io.ccf.ar.runtime.schedule.SwitchableTriggerQueue;
import io.ccf.ar.runtime.schedule.TriggerQueue;
import io.nats.client.Connection;

/**
 * NATS or JetStream was not there at start: keeps trying (woken by every reconnect, else every
 * {@value #RETRY_MILLIS} ms) to set up the shared schedule, then moves the runtime to it, once. Plan events
 * are listened to as soon as NATS answers, even while JetStream is still missing.
 */
final class SharedScheduleJoin {
    static final long RETRY_MILLIS = 2_000;
    private static final Logger log = LoggerFactory.getLogger(SharedScheduleJoin.class);

    private final NatsLink nats;
    private final String url;
    private final SwitchableTriggerQueue triggers;
    private final Function<Connection, Optional<TriggerQueue>> sharedQueue;
    private final Consumer<Connection> listen;
    private final BooleanSupplier stopping;

    SharedScheduleJoin(NatsLink nats, String url, SwitchableTriggerQueue triggers,
                       Function<Connection, Optional<TriggerQueue>> sharedQueue, Consumer<Connection> listen,
                       BooleanSupplier stopping) {
        this.nats = nats;
        this.url = url;
        this.triggers = triggers;
        this.sharedQueue = sharedQueue;
        this.listen = listen;
        this.stopping = stopping;
    }

    /** Starts the joining thread. {@code listening}: plan events are already subscribed. */
    void start(boolean listening) {
        Semaphore wake = new Semaphore(0);
        nats.onConnected(wake::release);
        Thread t = new Thread(() -> run(listening, wake), "nats-join");
        t.setDaemon(true);
        t.start();
    }

    private void run(boolean listening, Semaphore wake) {
        while (!stopping.getAsBoolean()) {
            Optional<Connection> connection = nats.connection().filter(c -> c.getStatus() == Connection.Status.CONNECTED);
            if (connection.isPresent()) {
                if (!listening) {
                    listen.accept(connection.get());
                    listening = true;
                }
                Optional<TriggerQueue> shared = sharedQueue.apply(connection.get());
                if (shared.isPresent()) {
                    if (!stopping.getAsBoolean() && triggers.switchTo(shared.get())) {
                        log.info("this runtime now takes its runs from the shared schedule at {}", Redaction.url(url));
                    } else {
                        shared.get().close();
                    }
                    return;
                }
            }
            try {
                wake.tryAcquire(RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
