package io.ccf.ar.runtime.plans;

import java.util.List;
import java.util.Map;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.PlanSpec;

/**
 * Decodes {@code runtime.assessment.request} bodies. A body with a "planId" key names a plan the
 * runtime has: {@code {"planId": "p", "taskId": "t", "activityId": "a"}} (task and activity
 * optional). Any other object is a whole plan with the plan-file key names, run once as is.
 */
public final class AssessmentRequests {
    /** Names the request in plan problems. */
    public static final String SOURCE = "NATS " + AssessmentRequestResponder.SUBJECT;

    private static final List<String> STORED_PLAN_KEYS = List.of("planId", "taskId", "activityId");

    private AssessmentRequests() {
    }

    /** @throws MessageRejectedException with a reason to send back */
    public static RunRequest parse(byte[] body) {
        Map<String, Object> request = JsonMessages.parseObject(body,
                "{\"planId\": ..., \"taskId\": ..., \"activityId\": ...} or a plan");
        if (request.containsKey("planId")) {
            return storedPlan(request);
        }
        String planId = request.get("id") instanceof String id ? id : "";
        try {
            return new RunRequest.AdHocPlan(PlanSpec.fromMap(request, SOURCE));
        } catch (ConfigException e) {
            throw new MessageRejectedException("", planId, PlanEvents.invalidPlan(e));
        }
    }

    private static RunRequest storedPlan(Map<String, Object> request) {
        for (String key : request.keySet()) {
            if (!STORED_PLAN_KEYS.contains(key)) {
                throw new MessageRejectedException("unknown key \"" + key + "\": a request naming a plan takes "
                        + String.join(", ", STORED_PLAN_KEYS) + " (send a whole plan without planId to run it ad hoc)");
            }
        }
        String planId = text(request, "planId");
        if (planId.isBlank()) {
            throw new MessageRejectedException("\"planId\" must not be empty");
        }
        String taskId = text(request, "taskId");
        String activityId = text(request, "activityId");
        if (!activityId.isEmpty() && taskId.isEmpty()) {
            throw new MessageRejectedException("", planId,
                    "\"activityId\" needs \"taskId\": activity ids are unique only within their task");
        }
        return new RunRequest.StoredPlan(planId, taskId, activityId);
    }

    /** A string field; absent or null reads as "". */
    private static String text(Map<String, Object> request, String key) {
        Object value = request.get(key);
        if (value == null) {
            return "";
        }
        if (value instanceof String s) {
            return s;
        }
        throw new MessageRejectedException("\"" + key + "\" must be a string, got " + JsonMessages.typeOf(value));
    }
}
