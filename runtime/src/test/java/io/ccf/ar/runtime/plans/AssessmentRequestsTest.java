package io.ccf.ar.runtime.plans;

import static io.ccf.ar.runtime.plans.TestPlans.document;
import static io.ccf.ar.runtime.plans.TestPlans.full;
import static io.ccf.ar.runtime.plans.TestPlans.json;
import static io.ccf.ar.runtime.plans.TestPlans.withoutSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class AssessmentRequestsTest {
    @Test
    void aRequestNamingAPlanAndOptionallyATaskAndActivity() {
        assertEquals(new RunRequest.StoredPlan("p1", "", ""), parse("{\"planId\": \"p1\"}"));
        assertEquals(new RunRequest.StoredPlan("p1", "t1", ""), parse("{\"planId\": \"p1\", \"taskId\": \"t1\"}"));
        assertEquals(new RunRequest.StoredPlan("p1", "t1", "a1"),
                parse("{\"planId\": \"p1\", \"taskId\": \"t1\", \"activityId\": \"a1\"}"));
        assertEquals(new RunRequest.StoredPlan("p1", "", ""), parse("{\"planId\": \"p1\", \"taskId\": null}"));
    }

    @Test
    void anyOtherObjectIsAnAdHocPlan() {
        RunRequest request = AssessmentRequests.parse(json(document(full("adhoc"))));

        RunRequest.AdHocPlan adHoc = (RunRequest.AdHocPlan) request;
        assertEquals(withoutSource(full("adhoc")), withoutSource(adHoc.plan()));
        assertEquals("NATS runtime.assessment.request", adHoc.plan().source());
        assertEquals("ad-hoc plan adhoc", request.describe());
    }

    @Test
    void reasons() {
        assertEquals("\"planId\" must not be empty", reason("{\"planId\": \"\"}"));
        assertEquals("\"planId\" must be a string, got a number", reason("{\"planId\": 5}"));
        assertEquals("\"taskId\" must be a string, got an array", reason("{\"planId\": \"p\", \"taskId\": []}"));
        assertEquals("\"activityId\" needs \"taskId\": activity ids are unique only within their task",
                reason("{\"planId\": \"p\", \"activityId\": \"a\"}"));
        assertEquals("unknown key \"task\": a request naming a plan takes planId, taskId, activityId "
                + "(send a whole plan without planId to run it ad hoc)", reason("{\"planId\": \"p\", \"task\": \"t\"}"));
        assertEquals("invalid plan: NATS runtime.assessment.request: id: is required; "
                + "NATS runtime.assessment.request: tasks: expected a list, got a plain value",
                reason("{\"tasks\": \"x\"}"));
        assertEquals("expected a JSON object ({\"planId\": ..., \"taskId\": ..., \"activityId\": ...} or a plan), "
                + "got a string", reason("\"p1\""));
    }

    private static RunRequest parse(String body) {
        return AssessmentRequests.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(String body) {
        return assertThrows(MessageRejectedException.class, () -> parse(body)).getMessage();
    }
}
