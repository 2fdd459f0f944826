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
 * subject is still run. The NATS handler only parses and queues: starting a run may download an
 * ad-hoc plan's package, which must not hold the NATS dispatcher. A full queue is answered "busy".
 */
public final class AssessmentRequestResponder implements AutoCloseable {
    public static final String SUBJECT = "runtime.assessment.request";
    public static final String QUEUE_GROUP = "ar-requests";

    /** Requests waiting to start: beyond this a caller is told the runtime is busy. */
    static final int QUEUE_CAPACITY = 1_000;
    static final long QUEUE_BYTES = 16L * 1024 * 1024;
    /** As many as the package downloads run at once: a slow ad-hoc download does not hold the other requests. */
    static final int THREADS = 4;

    private static final Logger log = LoggerFactory.getLogger(AssessmentRequestResponder.class);

    private final Connection nats;
    private final PlanRegistry registry;
    private final PackagePolicy policy;
    private Dispatcher dispatcher;
    private volatile BoundedWorker worker; // read by the NATS dispatcher thread

    /** Every package allowed: see {@link #AssessmentRequestResponder(Connection, PlanRegistry, PackagePolicy)}. */
    public AssessmentRequestResponder(Connection nats, PlanRegistry registry) {
        this(nats, registry, PackagePolicy.allowAll());
    }

    /**
     * @param policy the packages an ad-hoc plan may name; a request for a plan the runtime already has names none
     *               and is always allowed
     */
    public AssessmentRequestResponder(Connection nats, PlanRegistry registry, PackagePolicy policy) {
        this.nats = nats;
        this.registry = registry;
        this.policy = policy;
    }

    public synchronized void start() {
        if (dispatcher != null) {
            throw new IllegalStateException("already started");
        }
        worker = new BoundedWorker("run-requests", THREADS, QUEUE_CAPACITY, QUEUE_BYTES);
        dispatcher = nats.createDispatcher(this::handle);
        dispatcher.subscribe(SUBJECT, QUEUE_GROUP);
        Subscriptions.confirm(nats, SUBJECT, log);
        log.atInfo().addKeyValue("subject", SUBJECT).addKeyValue("queue", QUEUE_GROUP).log("answering run requests");
    }

    @Override
    public synchronized void close() {
        Subscriptions.close(nats, dispatcher);
        dispatcher = null;
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    /** On the NATS dispatcher: parses and queues. Never throws: a bad request is answered, and the next one handled. */
    void handle(Message message) {
        RunRequest request;
        try {
            request = AssessmentRequests.parse(message.getData());
            if (request instanceof RunRequest.AdHocPlan adHoc) {
                policy.check(adHoc.plan(), "", "ad-hoc request", "not run");
            }
        } catch (MessageRejectedException e) {
            answer(message, rejected(e.planId().isEmpty() ? "unreadable request" : "plan " + e.planId(), e.getMessage(), null));
            return;
        } catch (RuntimeException e) {
            answer(message, rejected("unreadable request", "internal error: " + describe(e), e));
            return;
        }
        QueuedRequest queued = new QueuedRequest(message, request);
        BoundedWorker current = worker;
        if (current == null || !current.offer(queued)) {
            queued.refuse((current == null ? "the runtime is stopping" : current.describeFull()) + "; not run, send it again");
        }
    }

    /** A parsed request waiting for a worker. */
    private final class QueuedRequest implements BoundedWorker.Task {
        private final Message message;
        private final RunRequest request;

        QueuedRequest(Message message, RunRequest request) {
            this.message = message;
            this.request = request;
        }

        @Override
        public void run() {
            answer(message, start(request));
        }

        @Override
        public long bytes() {
            return message.getData() == null ? 0 : message.getData().length;
        }

        @Override
        public void refuse(String reason) {
            answer(message, rejected(request.describe(), reason, null));
        }
    }

    /** On a worker: starts the run (may download an ad-hoc plan's package first). */
    private Map<String, Object> start(RunRequest request) {
        String what = request.describe();
        try {
            RunTicket ticket = registry.runNow(request);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("runId", ticket.runId());
            answer.put("accepted", true);
            log.atInfo().addKeyValue("request", what).addKeyValue("outcome", "accepted")
                    .addKeyValue("runId", ticket.runId()).log("run request accepted");
            return answer;
        } catch (MessageRejectedException | RunRejectedException e) {
            return rejected(what, e.getMessage(), null);
        } catch (RuntimeException e) {
            return rejected(what, "internal error: " + describe(e), e);
        }
    }

    private void answer(Message message, Map<String, Object> answer) {
        String replyTo = message.getReplyTo();
        if (replyTo != null && !replyTo.isEmpty()) {
            Subscriptions.publish(nats, replyTo, JsonMessages.write(answer), log);
        }
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static Map<String, Object> rejected(String what, String reason, Throwable failure) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("accepted", false);
        answer.put("error", reason);
        (failure == null ? log.atWarn() : log.atError().setCause(failure))
                .addKeyValue("request", what).addKeyValue("outcome", "rejected").addKeyValue("reason", reason)
                .log("run request rejected");
        return answer;
    }
}
