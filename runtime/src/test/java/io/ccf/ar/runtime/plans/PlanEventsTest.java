package io.ccf.ar.runtime.plans;

import static io.ccf.ar.runtime.plans.TestPlans.document;
import static io.ccf.ar.runtime.plans.TestPlans.event;
import static io.ccf.ar.runtime.plans.TestPlans.full;
import static io.ccf.ar.runtime.plans.TestPlans.withoutSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;


class PlanEventsTest {
    @ParameterizedTest
    @ValueSource(strings = {"activated", "updated"})
    void activatedAndUpdatedCarryAValidatedPlan(String type) {
        PlanEvent event = PlanEvents.parse(event(type, document(full("p1"))));

        PlanEvent.Upsert upsert = (PlanEvent.Upsert) event;
        assertEquals(type, upsert.type());
        assertEquals(withoutSource(full("p1")), withoutSource(upsert.plan()));
        assertEquals("NATS runtime.configuration", upsert.plan().source());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deleted", "delete"})
    void deleteNeedsOnlyTheId(String type) {
        assertEquals(new PlanEvent.Delete(type, "p1"), PlanEvents.parse(event(type, Map.of("id", "p1"))));
        assertEquals(new PlanEvent.Delete(type, "p1"), PlanEvents.parse(event(type, document(full("p1")))));
    }

    @Test
    void aDeleteOfAnInvalidPlanStillDeletesIt() {
        assertEquals(new PlanEvent.Delete("deleted", "p1"),
                PlanEvents.parse(event("deleted", Map.of("id", "p1", "tasks", "not a list"))));
    }

    @Test
    void goNullsForEmptyListsAndMapsAreAccepted() {
        String json = """
                {"type": "activated", "data": {"id": "p1", "title": "", "assessment-plan-id": "", "component-id": "",
                 "control-id": "", "tasks": [{"id": "t1", "title": "", "schedule": "@hourly", "activities": [
                   {"id": "a1", "title": "", "selector": {"labels": null, "expressions": null, "ids": null},
                    "provider": {"name": "busy", "package": "sample", "version": "1.0.0", "configuration": null}}]}]},
                 "extra": "ignored, as Go did"}
                """;
        PlanEvent.Upsert event = (PlanEvent.Upsert) PlanEvents.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(Map.of(), event.plan().tasks().get(0).activities().get(0).provider().configuration());
    }

    @Test
    void everyReasonSaysWhatIsWrong() {
        assertEquals("empty message (expected JSON)", reason(""));
        assertTrue(reason("garbage").startsWith("not valid JSON: Unrecognized token 'garbage'"), reason("garbage"));
        assertTrue(reason("garbage").endsWith("(line 1, column 8)"), reason("garbage"));
        assertTrue(reason("{\"type\": \"activated\", \"type\": \"updated\"}").contains("Duplicate field 'type'"));
        assertEquals("expected a JSON object (a plan event with \"type\" and \"data\"), got an array", reason("[1]"));
        assertEquals("\"type\" is required: activated, updated or deleted", reason("{\"data\": {\"id\": \"p\"}}"));
        assertEquals("\"type\" is required: activated, updated or deleted", reason("{\"type\": 3, \"data\": {}}"));
        assertEquals("\"data\" must be an object (the plan), got a string",
                reason("{\"type\": \"activated\", \"data\": \"p1\"}"));
        assertEquals("\"data\" must be an object (the plan), got null", reason("{\"type\": \"deleted\"}"));
        assertEquals("unknown type \"paused\": expected activated, updated or deleted",
                reason("{\"type\": \"paused\", \"data\": {\"id\": \"p1\"}}"));
        assertEquals("\"data.id\" is required: the id of the plan to delete",
                reason("{\"type\": \"deleted\", \"data\": {\"id\": 7}}"));
        assertEquals("invalid plan: NATS runtime.configuration: tasks[0].schedul: unknown key \"schedul\" (did you"
                        + " mean \"schedule\"?); allowed keys: id, title, schedule, activities; "
                        + "NATS runtime.configuration: tasks[0].schedule: is required",
                reason("{\"type\": \"activated\", \"data\": {\"id\": \"p1\", \"tasks\": [{\"id\": \"t\", \"schedul\": \"@daily\"}]}}"));
    }

    @Test
    void aRejectionKeepsTheTypeAndPlanIdForTheLog() {
        MessageRejectedException e = assertThrows(MessageRejectedException.class, () -> PlanEvents.parse(
                event("updated", Map.of("id", "p1", "tasks", List.of(Map.of("id", "t1"))))));
        assertEquals("updated", e.eventType());
        assertEquals("p1", e.planId());
    }

    private static String reason(String body) {
        return assertThrows(MessageRejectedException.class,
                () -> PlanEvents.parse(body.getBytes(StandardCharsets.UTF_8))).getMessage();
    }
}
