package io.ccf.ar.runtime.plans;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.PlanSpec;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;

/**
 * Applies plan changes published on {@code runtime.configuration} (core NATS, as the original
 * runtime: every runtime gets every event). A change is written to the {@link PlanStore} first,
 * then handed to the {@link PlanRegistry}. A message that cannot be used is logged with the reason
 * and republished on {@code runtime.configuration.dead}; nothing stops the listener. A message with
 * a reply subject is answered {@code {"ok":true}} or {@code {"ok":false,"error":"..."}}.
 * Messages are handled one at a time in arrival order (one dispatcher), so "activated" then
 * "deleted" cannot be reordered.
 */
public final class PlanEventListener implements AutoCloseable {
    public static final String SUBJECT = "runtime.configuration";
    public static final String DEAD_LETTER_SUBJECT = "runtime.configuration.dead";

    private static final Logger log = LoggerFactory.getLogger(PlanEventListener.class);

    private final Connection nats;
    private final PlanStore store;
    private final PlanRegistry registry;
    private final String runtimeId;
    private Dispatcher dispatcher;

    public PlanEventListener(Connection nats, PlanStore store, PlanRegistry registry, String runtimeId) {
        this.nats = nats;
        this.store = store;
        this.registry = registry;
        this.runtimeId = runtimeId;
    }

    /** Subscribes, and waits (briefly) until the server has the subscription, so no event sent after is missed. */
    public synchronized void start() {
        if (dispatcher != null) {
            throw new IllegalStateException("already started");
        }
        dispatcher = nats.createDispatcher(this::handle);
        dispatcher.subscribe(SUBJECT);
        Subscriptions.confirm(nats, SUBJECT, log);
        log.atInfo().addKeyValue("subject", SUBJECT).log("listening for plan events");
    }

    @Override
    public synchronized void close() {
        Subscriptions.close(nats, dispatcher);
        dispatcher = null;
    }

    /** Never throws: one bad message must not stop the ones after it. */
    void handle(Message message) {
        byte[] body = message.getData() == null ? new byte[0] : message.getData();
        String type = "";
        String planId = "";
        try {
            PlanEvent event = PlanEvents.parse(body);
            type = event.type();
            planId = event.planId();
            String outcome = event instanceof PlanEvent.Upsert upsert ? store(upsert) : delete(event.planId());
            log.atInfo().addKeyValue("type", type).addKeyValue("plan", planId).addKeyValue("outcome", outcome)
                    .log("plan event handled");
            reply(message, Map.of("ok", true));
        } catch (MessageRejectedException e) {
            refuse(message, body, e.eventType().isEmpty() ? type : e.eventType(),
                    e.planId().isEmpty() ? planId : e.planId(), e.getMessage(), null);
        } catch (ConfigException e) {
            refuse(message, body, type, planId, PlanEvents.invalidPlan(e), null);
        } catch (RuntimeException e) {
            refuse(message, body, type, planId, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    private String store(PlanEvent.Upsert event) {
        PlanSpec stored = store.put(event.plan());
        try {
            registry.apply(stored);
        } catch (ConfigException e) {
            // the file stays: it is what the sender asked for, and the next start reports the same conflict
            throw new MessageRejectedException(event.type(), event.planId(), "stored in " + stored.source()
                    + " but not scheduled: " + PlanEvents.problems(e));
        }
        return "applied from " + stored.source();
    }

    private String delete(String planId) {
        List<Path> files = store.remove(planId);
        boolean unscheduled = registry.remove(planId);
        if (files.isEmpty() && !unscheduled) {
            return "unknown plan, nothing to delete";
        }
        return "deleted " + files + (unscheduled ? " and unscheduled" : " (was not scheduled)");
    }

    /** Logs the one line for this event, dead-letters it and answers the sender. {@code failure} means our fault. */
    private void refuse(Message message, byte[] body, String type, String planId, String reason, Throwable failure) {
        (failure == null ? log.atWarn() : log.atError().setCause(failure))
                .addKeyValue("type", type).addKeyValue("plan", planId)
                .addKeyValue("outcome", failure == null ? "rejected" : "failed").addKeyValue("reason", reason)
                .log("plan event not applied; sent to " + DEAD_LETTER_SUBJECT);
        deadLetter(message.getSubject(), body, reason);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", false);
        answer.put("error", reason);
        reply(message, answer);
    }

    private void deadLetter(String subject, byte[] body, String reason) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("reason", reason);
        envelope.put("subject", subject);
        envelope.put("runtimeId", runtimeId);
        envelope.put("receivedAt", Instant.now().toString());
        String text = JsonMessages.utf8OrNull(body);
        if (text != null) {
            envelope.put("message", text);
        } else {
            envelope.put("messageBase64", JsonMessages.base64(body));
        }
        Subscriptions.publish(nats, DEAD_LETTER_SUBJECT, JsonMessages.write(envelope), log);
    }

    private void reply(Message message, Map<String, ?> answer) {
        String replyTo = message.getReplyTo();
        if (replyTo != null && !replyTo.isEmpty()) {
            Subscriptions.publish(nats, replyTo, JsonMessages.write(answer), log);
        }
    }
}
