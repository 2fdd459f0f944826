package io.ccf.ar.runtime.plans;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;

/** The few NATS steps the listener and the responder share, with their failures logged, not thrown. */
final class Subscriptions {
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(5);

    private Subscriptions() {
    }

    /**
     * Round trip to the server so the subscription is registered when start() returns. While
     * disconnected this times out; the client re-subscribes on reconnect, so that is only logged.
     */
    static void confirm(Connection nats, String subject, Logger log) {
        try {
            nats.flush(CONFIRM_TIMEOUT);
        } catch (TimeoutException | IllegalStateException e) {
            log.atWarn().addKeyValue("subject", subject)
                    .log("NATS did not confirm the subscription yet (disconnected?); it is renewed on reconnect");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void close(Connection nats, Dispatcher dispatcher) {
        if (dispatcher == null) {
            return;
        }
        try {
            nats.closeDispatcher(dispatcher);
        } catch (IllegalStateException e) {
            // connection already closed: the subscription went with it
        }
    }

    /** Replies and dead letters are best effort: the sender can retry, the listener must go on. */
    static void publish(Connection nats, String subject, byte[] body, Logger log) {
        try {
            nats.publish(subject, body);
        } catch (RuntimeException e) {
            log.atWarn().addKeyValue("subject", subject).addKeyValue("error", e.toString()).log("cannot publish to NATS");
        }
    }
}
