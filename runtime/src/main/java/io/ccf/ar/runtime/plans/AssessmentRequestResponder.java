package io.ccf.ar.runtime.plans;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;

/**
 * Answers run-now requests on {@code runtime.assessment.request}. Subscribes in the queue group
 * {@code ar-requests}, so with several runtimes exactly one takes each request. Replies
 * {@code {"runId": "...", "accepted": true}} or {@code {"accepted": false, "error": "..."}}; the run
 * itself is the registry's (asynchronous, results on job.result). A request without a reply
 * subject is still run.
 */
public final class AssessmentRequestResponder implements AutoCloseable {
    public static final String SUBJECT = "runtime.assessment.request";
    public static final String QUEUE_GROUP = "ar-requests";

    private static final Logger log = LoggerFactory.getLogger(AssessmentRequestResponder.class);

    private final Connection nats;
    private final PlanRegistry registry;
    private Dispatcher dispatcher;

    public AssessmentRequestResponder(Connection nats, PlanRegistry registry) {
        this.nats = nats;
        this.registry = registry;
    }

    public synchronized void start() {
        if (dispatcher != null) {
            throw new IllegalStateException("already started");
        }
        dispatcher = nats.createDispatcher(this::handle);
        dispatcher.subscribe(SUBJECT, QUEUE_GROUP);
        Subscriptions.confirm(nats, SUBJECT, log);
        log.atInfo().addKeyValue("subject", SUBJECT).addKeyValue("queue", QUEUE_GROUP).log("answering run requests");
    }

    @Override
    public synchronized void close() {
        Subscriptions.close(nats, dispatcher);
        dispatcher = null;
    }

    /** Never throws: a bad request is answered, and the next one handled. */
    void handle(Message message) {
        String what = "unreadable request";
        Map<String, Object> answer = new LinkedHashMap<>();
        try {
            RunRequest request = AssessmentRequests.parse(message.getData());
            what = request.describe();
            RunTicket ticket = registry.runNow(request);
            answer.put("runId", ticket.runId());
            answer.put("accepted", true);
            log.atInfo().addKeyValue("request", what).addKeyValue("outcome", "accepted")
                    .addKeyValue("runId", ticket.runId()).log("run request accepted");
        } catch (MessageRejectedException e) {
            rejected(answer, e.planId().isEmpty() ? what : "plan " + e.planId(), e.getMessage(), null);
        } catch (RunRejectedException e) {
            rejected(answer, what, e.getMessage(), null);
        } catch (RuntimeException e) {
            rejected(answer, what, "internal error: " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        String replyTo = message.getReplyTo();
        if (replyTo != null && !replyTo.isEmpty()) {
            Subscriptions.publish(nats, replyTo, JsonMessages.write(answer), log);
        }
    }

    private static void rejected(Map<String, Object> answer, String what, String reason, Throwable failure) {
        answer.put("accepted", false);
        answer.put("error", reason);
        (failure == null ? log.atWarn() : log.atError().setCause(failure))
                .addKeyValue("request", what).addKeyValue("outcome", "rejected").addKeyValue("reason", reason)
                .log("run request rejected");
    }
}
