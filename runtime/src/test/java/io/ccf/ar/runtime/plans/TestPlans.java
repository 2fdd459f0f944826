package io.ccf.ar.runtime.plans;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.config.ActivitySpec;
import io.ccf.ar.runtime.config.ExpressionSpec;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.config.ProviderSpec;
import io.ccf.ar.runtime.config.SelectorSpec;
import io.ccf.ar.runtime.config.TaskSpec;

/** Plans and messages shared by the plans tests. */
final class TestPlans {
    static final ObjectMapper JSON = new ObjectMapper();

    private TestPlans() {
    }

    /** One task, one activity, nothing optional. */
    static PlanSpec minimal(String id) {
        return new PlanSpec(id, "", "", "", "", List.of(new TaskSpec("t1", "", "*/5 * * * *", List.of(
                new ActivitySpec("a1", "", SelectorSpec.EMPTY, new ProviderSpec("busy", "sample", "1.0.0", Map.of()))))),
                "test");
    }

    /** Every field set, with values YAML likes to reinterpret (yes, 1.10, null, ~, '*', ': ', '#'). */
    static PlanSpec full(String id) {
        SelectorSpec selector = new SelectorSpec("Production accounts", "Tagged: prod # not a comment", "type=storage",
                Map.of("env", "prod", "tier", "1", "enabled", "yes", "empty", "", "none", "null"),
                List.of(new ExpressionSpec("region", "In", List.of("westeurope", "~", "1.10")),
                        new ExpressionSpec("zone", "Exists", List.of())),
                List.of("sa-001", "0x1F", "true"));
        ActivitySpec withSelector = new ActivitySpec("act-1", "Review: access policies", selector,
                new ProviderSpec("azure-blob", "azure", "1.10", Map.of("retries", "3", "multi", "line one\nline two",
                        "quote", "it's \"quoted\"", "unicode", "größe ✓", "bell", "ring\u0007", "tab", "a\tb")));
        ActivitySpec plain = new ActivitySpec("act-2", "", SelectorSpec.EMPTY,
                new ProviderSpec("azure-enc", "azure", "1.4.0+build.7", Map.of()));
        return new PlanSpec(id, "Azure storage \"security\"", "ap-2024-01", "comp-1", "sc-28", List.of(
                new TaskSpec("task-storage", "Assess storage", "*/10 * * * * *", List.of(withSelector, plain)),
                new TaskSpec("task-network", "Network", "CRON_TZ=Europe/Berlin 0 0 */6 * * *", List.of()),
                new TaskSpec("task-daily", "", "@daily", List.of(plain))), "test");
    }

    /** The plan as the event bus or the control plane sends it: JSON with the plan-file keys. */
    static Map<String, Object> document(PlanSpec plan) {
        return PlanDocument.toMap(plan);
    }

    static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] event(String type, Object data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", type);
        event.put("data", data);
        return json(event);
    }

    static Map<String, Object> parse(byte[] body) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSON.readValue(body, Map.class);
            return map;
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
        }
    }

    /** The plan without where it came from, for comparing a plan with its reloaded copy. */
    static PlanSpec withoutSource(PlanSpec plan) {
        return new PlanSpec(plan.id(), plan.title(), plan.assessmentPlanId(), plan.componentId(), plan.controlId(),
                plan.tasks(), "-");
    }
}
