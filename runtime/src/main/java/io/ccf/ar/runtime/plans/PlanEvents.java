package io.ccf.ar.runtime.plans;

import java.util.Map;
import java.util.stream.Collectors;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.ConfigProblem;
import io.ccf.ar.runtime.config.PlanSpec;

/**
 * Decodes {@code runtime.configuration} messages:
 * {@code {"type": "activated"|"updated"|"deleted", "data": <plan, plan-file key names>}}.
 * The original runtime's "delete" is accepted too. Other top-level keys are ignored (as Go's
 * decoder did); the plan itself is validated exactly like a plan file.
 */
public final class PlanEvents {
    /** Names the message in plan problems: "NATS runtime.configuration: tasks[0].schedule: is required". */
    public static final String SOURCE = "NATS " + PlanEventListener.SUBJECT;

    private PlanEvents() {
    }

    /** @throws MessageRejectedException with the reason, and the type and plan id when they could be read */
    public static PlanEvent parse(byte[] body) {
        Map<String, Object> message = JsonMessages.parseObject(body, "a plan event with \"type\" and \"data\"");
        if (!(message.get("type") instanceof String type) || type.isBlank()) {
            throw new MessageRejectedException("\"type\" is required: activated, updated or deleted");
        }
        Object data = message.get("data");
        if (!(data instanceof Map<?, ?> document)) {
            throw new MessageRejectedException(type, "", "\"data\" must be an object (the plan), got "
                    + JsonMessages.typeOf(data));
        }
        String planId = document.get("id") instanceof String id ? id : "";
        switch (type) {
            case "activated", "updated":
                return new PlanEvent.Upsert(type, plan(type, planId, document));
            case "deleted", "delete":
                if (planId.isBlank()) {
                    throw new MessageRejectedException(type, "", "\"data.id\" is required: the id of the plan to delete");
                }
                return new PlanEvent.Delete(type, planId);
            default:
                throw new MessageRejectedException(type, planId,
                        "unknown type \"" + type + "\": expected activated, updated or deleted");
        }
    }

    @SuppressWarnings("unchecked")
    private static PlanSpec plan(String type, String planId, Map<?, ?> document) {
        try {
            return PlanSpec.fromMap((Map<String, ?>) document, SOURCE);
        } catch (ConfigException e) {
            throw new MessageRejectedException(type, planId, invalidPlan(e));
        }
    }

    /** "invalid plan: <problem>; <problem>", one line for logs and replies. */
    static String invalidPlan(ConfigException e) {
        return "invalid plan: " + problems(e);
    }

    static String problems(ConfigException e) {
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.joining("; "));
    }
}
