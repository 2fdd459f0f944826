package io.ccf.ar.runtime.plans;

import static io.ccf.ar.runtime.plans.RecordingRegistry.next;
import static io.ccf.ar.runtime.plans.TestPlans.document;
import static io.ccf.ar.runtime.plans.TestPlans.full;
import static io.ccf.ar.runtime.plans.TestPlans.json;
import static io.ccf.ar.runtime.plans.TestPlans.parse;
import static io.ccf.ar.runtime.plans.TestPlans.withoutSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;

class AssessmentRequestResponderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path natsDir;
    static NatsServerFixture server;

    private final RecordingRegistry registry = new RecordingRegistry();
    private Connection runtimeSide;
    private Connection requester;
    private AssessmentRequestResponder responder;

    @BeforeAll
    static void startServer() {
        server = NatsServerFixture.start(natsDir);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void start() throws Exception {
        runtimeSide = Nats.connect(server.url());
        requester = Nats.connect(server.url());
        responder = new AssessmentRequestResponder(runtimeSide, registry);
        responder.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        responder.close();
        runtimeSide.close();
        requester.close();
    }

    @Test
    void aRunOfAStoredPlanTaskAndActivityIsAccepted() throws Exception {
        assertEquals(Map.of("runId", "run-1", "accepted", true),
                request("{\"planId\": \"p1\", \"taskId\": \"t1\", \"activityId\": \"a1\"}"));
        assertEquals(new RunRequest.StoredPlan("p1", "t1", "a1"), next(registry.requested, WAIT));

        assertEquals(Map.of("runId", "run-2", "accepted", true), request("{\"planId\": \"p1\"}"));
        assertEquals(new RunRequest.StoredPlan("p1", "", ""), next(registry.requested, WAIT));
    }

    @Test
    void anAdHocPlanIsValidatedAndHandedOverWithoutBeingStored() throws Exception {
        assertEquals(Map.of("runId", "run-1", "accepted", true), request(json(document(full("adhoc")))));

        RunRequest.AdHocPlan request = (RunRequest.AdHocPlan) next(registry.requested, WAIT);
        assertEquals(withoutSource(full("adhoc")), withoutSource(request.plan()));
    }

    @Test
    void theRegistrysReasonIsSentBack() throws Exception {
        registry.runs = request -> {
            throw new RunRejectedException("unknown plan \"nope\"");
        };
        assertEquals(Map.of("accepted", false, "error", "unknown plan \"nope\""), request("{\"planId\": \"nope\"}"));
    }

    @Test
    void anInvalidPlanNeverReachesTheRegistry() throws Exception {
        Map<String, Object> answer = request(json(Map.of("id", "adhoc", "tasks", List.of(Map.of("id", "t1")))));

        assertEquals(Map.of("accepted", false,
                "error", "invalid plan: NATS runtime.assessment.request: tasks[0].schedule: is required"), answer);
        assertTrue(registry.requested.isEmpty());
    }

    @Test
    void malformedRequestsAreAnsweredAndTheNextOneStillRuns() throws Exception {
        Map<String, Object> answer = request("{not json");
        assertEquals(false, answer.get("accepted"));
        assertTrue(((String) answer.get("error")).startsWith("not valid JSON: "), answer.toString());
        assertEquals(Map.of("accepted", false, "error", "\"activityId\" needs \"taskId\": activity ids are unique"
                + " only within their task"), request("{\"planId\": \"p1\", \"activityId\": \"a1\"}"));
        assertTrue(registry.requested.isEmpty());

        assertEquals(true, request("{\"planId\": \"p1\"}").get("accepted"));
    }

    @Test
    void anUnexpectedRegistryFailureIsReportedAsInternal() throws Exception {
        registry.runs = request -> {
            throw new IllegalStateException("run pool is shut down");
        };
        assertEquals(Map.of("accepted", false, "error", "internal error: run pool is shut down"),
                request("{\"planId\": \"p1\"}"));
    }

    @Test
    void aRequestThatBlocksDoesNotHoldTheOthers() throws Exception {
        java.util.concurrent.CountDownLatch download = new java.util.concurrent.CountDownLatch(1);
        registry.runs = request -> {
            if (request instanceof RunRequest.StoredPlan p && p.planId().equals("slow")) {
                try {
                    download.await(); // an ad-hoc plan's package being fetched
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new RunTicket("run-" + ((RunRequest.StoredPlan) request).planId());
        };
        String inbox = requester.createInbox();
        io.nats.client.Subscription slowReply = requester.subscribe(inbox);
        requester.publish(AssessmentRequestResponder.SUBJECT, inbox, "{\"planId\": \"slow\"}".getBytes(StandardCharsets.UTF_8));

        assertEquals(Map.of("runId", "run-fast", "accepted", true), request("{\"planId\": \"fast\"}"));
        download.countDown();
        assertEquals(Map.of("runId", "run-slow", "accepted", true),
                TestPlans.parse(slowReply.nextMessage(java.time.Duration.ofSeconds(10)).getData()));
    }

    @Test
    void aRequestWithoutReplySubjectStillRuns() throws Exception {
        requester.publish(AssessmentRequestResponder.SUBJECT, "{\"planId\": \"p1\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(new RunRequest.StoredPlan("p1", "", ""), next(registry.requested, WAIT));
    }

    @Test
    void withSeveralRuntimesEachRequestIsAnsweredOnce() throws Exception {
        RecordingRegistry otherRegistry = new RecordingRegistry();
        Connection otherRuntime = Nats.connect(server.url());
        try (AssessmentRequestResponder other = new AssessmentRequestResponder(otherRuntime, otherRegistry)) {
            other.start();
            String inbox = requester.createInbox();
            Subscription replies = requester.subscribe(inbox);
            requester.flush(WAIT);
            int requests = 20;
            for (int i = 0; i < requests; i++) {
                requester.publish(AssessmentRequestResponder.SUBJECT, inbox,
                        ("{\"planId\": \"p" + i + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < requests; i++) {
                Message reply = replies.nextMessage(WAIT);
                assertNotNull(reply, "reply " + i);
                assertEquals(true, parse(reply.getData()).get("accepted"));
            }
            assertNull(replies.nextMessage(Duration.ofMillis(500)), "a request was answered twice");
            assertEquals(requests, registry.requested.size() + otherRegistry.requested.size());
        } finally {
            otherRuntime.close();
        }
    }

    private Map<String, Object> request(String body) throws InterruptedException {
        return request(body.getBytes(StandardCharsets.UTF_8));
    }

    private Map<String, Object> request(byte[] body) throws InterruptedException {
        Message reply = requester.request(AssessmentRequestResponder.SUBJECT, body, WAIT);
        assertNotNull(reply, "no reply within " + WAIT);
        return parse(reply.getData());
    }
}
