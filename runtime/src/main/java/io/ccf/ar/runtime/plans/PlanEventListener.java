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
 * <p>The NATS handler only parses and queues; one worker thread applies the events in arrival order,
 * one at a time, so "activated" then "deleted" cannot be reordered and a slow download never holds the
 * NATS dispatcher (whose buffer would overflow and drop events). One thread is enough: applying a plan
 * swaps the whole catalog under one lock anyway. An event for a plan that already has one waiting
 * replaces it (the earlier one is answered {@code {"ok":true,"superseded":true}}): an event carries the
 * whole plan, so the latest wins, and a burst costs one apply per plan. When the queue is full an event
 * is refused (reply, log line, dead letter), never dropped. A plan that conflicts with the runtime's
 * other jobs is refused before it is stored.
 */
public final class PlanEventListener implements AutoCloseable {
    public static final String SUBJECT = "runtime.configuration";
    public static final String DEAD_LETTER_SUBJECT = "runtime.configuration.dead";

    /** Plans with an event waiting (one each, the latest): a control plane re-sending every plan fits; a flood is refused. */
    static final int QUEUE_CAPACITY = 1_000;
    /** And at most this much message text waiting (an event is a few KB; NATS allows 1 MB each). */
    static final long QUEUE_BYTES = 16L * 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(PlanEventListener.class);

    private final Connection nats;
    private final PlanStore store;
    private final PlanRegistry registry;
    private final String runtimeId;
    private final int queueCapacity;
    private final PackagePolicy policy;
    private Dispatcher dispatcher;
    private volatile BoundedWorker worker; // read by the NATS dispatcher thread

    /** Every package allowed: see {@link #PlanEventListener(Connection, PlanStore, PlanRegistry, String, PackagePolicy)}. */
    public PlanEventListener(Connection nats, PlanStore store, PlanRegistry registry, String runtimeId) {
        this(nats, store, registry, runtimeId, PackagePolicy.allowAll());
    }

    /** @param policy the packages an activated/updated plan may name; others are refused before anything is stored */
    public PlanEventListener(Connection nats, PlanStore store, PlanRegistry registry, String runtimeId, PackagePolicy policy) {
        this(nats, store, registry, runtimeId, QUEUE_CAPACITY, policy);
    }

    PlanEventListener(Connection nats, PlanStore store, PlanRegistry registry, String runtimeId, int queueCapacity) {
        this(nats, store, registry, runtimeId, queueCapacity, PackagePolicy.allowAll());
    }

    private PlanEventListener(Connection nats, PlanStore store, PlanRegistry registry, String runtimeId,
            int queueCapacity, PackagePolicy policy) {
        this.nats = nats;
        this.store = store;
        this.registry = registry;
        this.runtimeId = runtimeId;
        this.queueCapacity = queueCapacity;
        this.policy = policy;
    }

    /** Subscribes, and waits (briefly) until the server has the subscription, so no event sent after is missed. */
    public synchronized void start() {
        if (dispatcher != null) {
            throw new IllegalStateException("already started");
        }
        worker = new BoundedWorker("plan-events", 1, queueCapacity, QUEUE_BYTES);
        dispatcher = nats.createDispatcher(this::handle);
        dispatcher.subscribe(SUBJECT);
        Subscriptions.confirm(nats, SUBJECT, log);
        log.atInfo().addKeyValue("subject", SUBJECT).log("listening for plan events");
    }

    @Override
    public synchronized void close() {
        Subscriptions.close(nats, dispatcher); // first: nothing new arrives while the queue is refused
        dispatcher = null;
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    /** On the NATS dispatcher: parses and queues, nothing slower. Never throws. */
    void handle(Message message) {
        byte[] body = message.getData() == null ? new byte[0] : message.getData();
        PlanEvent event;
        try {
            event = PlanEvents.parse(body);
            if (event instanceof PlanEvent.Upsert upsert) { // a delete runs nothing: always allowed
                policy.check(upsert.plan(), upsert.type(), "plan event", "not stored");
            }
        } catch (MessageRejectedException e) {
            refuse(message, body, e.eventType(), e.planId(), e.getMessage(), null);
            return;
        } catch (RuntimeException e) {
            refuse(message, body, "", "", e.getMessage() == null ? e.toString() : e.getMessage(), e);
            return;
        }
        QueuedEvent queued = new QueuedEvent(message, body, event);
        BoundedWorker current = worker;
        if (current == null || !current.offer(queued)) {
            queued.refuse((current == null ? "the runtime is stopping" : current.describeFull())
                    + "; not applied, send it again");
        }
    }

    /** A parsed event waiting for the worker. */
    private final class QueuedEvent implements BoundedWorker.Task {
        private final Message message;
        private final byte[] body;
        private final PlanEvent event;

        QueuedEvent(Message message, byte[] body, PlanEvent event) {
            this.message = message;
            this.body = body;
            this.event = event;
        }

        @Override
        public void run() {
            apply(message, body, event);
        }

        @Override
        public long bytes() {
            return body.length;
        }

        @Override
        public void refuse(String reason) {
            PlanEventListener.this.refuse(message, body, event.type(), event.planId(), reason, null);
        }

        @Override
        public Object key() {
            return event.planId();
        }

        /** Each event carries the whole plan: the later one's state is what the senders want now. */
        @Override
        public void superseded() {
            log.atInfo().addKeyValue("type", event.type()).addKeyValue("plan", event.planId())
                    .addKeyValue("outcome", "superseded").log("plan event replaced by a later one for the same plan");
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("ok", true);
            answer.put("superseded", true);
            reply(message, answer);
        }
    }

    /** On the worker: stores and applies one event, and answers. Never throws. */
    private void apply(Message message, byte[] body, PlanEvent event) {
        String type = event.type();
        String planId = event.planId();
        try {
            String outcome = event instanceof PlanEvent.Upsert upsert ? store(upsert) : delete(planId);
            log.atInfo().addKeyValue("type", type).addKeyValue("plan", planId).addKeyValue("outcome", outcome)
                    .log("plan event handled");
            reply(message, Map.of("ok", true));
        } catch (MessageRejectedException e) {
            refuse(message, body, type, planId, e.getMessage(), null);
        } catch (ConfigException e) {
            refuse(message, body, type, planId, PlanEvents.invalidPlan(e), null);
        } catch (RuntimeException e) {
            refuse(message, body, type, planId, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    private String store(PlanEvent.Upsert event) {
        try {
            registry.check(event.plan());
        } catch (ConfigException e) {
            // refused before it is written: a stored conflicting plan would be skipped at every start
            throw new MessageRejectedException(event.type(), event.planId(), "plan not stored, it conflicts with"
                    + " this runtime's jobs: " + PlanEvents.problems(e));
        }
        PlanSpec stored = store.put(event.plan());
        try {
            registry.apply(stored);
        } catch (ConfigException e) {
            // checked above, so only a change between check and apply gets here; the next start skips the file
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
