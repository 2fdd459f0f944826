package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanSpecTest {
    private static final String NATS = "NATS runtime.configuration";

    @TempDir
    Path dir;

    private List<String> problems(String yaml) {
        Path file = write(dir, "plan.yml", yaml);
        return problemsOf(() -> PlanSpec.fromFile(file)).stream()
                .map(p -> p.replace(file.toString(), "plan.yml"))
                .toList();
    }

    @Test
    void loadsAPlanWrittenForTheOriginalRuntime() {
        Path file = TestFiles.resource("original-plan.yaml");
        PlanSpec plan = PlanSpec.fromFile(file);

        assertEquals("8a1f4c2e-7b1d-4c55-9d61-0c5f1b2e3a4d", plan.id());
        assertEquals("Azure storage security", plan.title());
        assertEquals("ap-2024-01", plan.assessmentPlanId());
        assertEquals("comp-azure-storage", plan.componentId());
        assertEquals("sc-28", plan.controlId());
        assertEquals(file.toString(), plan.source());
        assertEquals(2, plan.tasks().size());

        TaskSpec storage = plan.tasks().get(0);
        assertEquals("task-storage", storage.id());
        assertEquals("Assess Azure storage configuration", storage.title());
        assertEquals("*/10 * * * * *", storage.schedule());
        assertEquals(new ActivitySpec("act-blob-policies", "Review Blob storage access policies",
                new SelectorSpec("Production storage accounts", "Accounts tagged for production", "type=storage",
                        Map.of("env", "prod", "tier", "1"),
                        List.of(new ExpressionSpec("region", "In", List.of("westeurope", "northeurope"))),
                        List.of("sa-001", "sa-002")),
                new ProviderSpec("azure-blob", "azure", "1.4.0", Map.of("subscription", "0000-1111", "retries", "3"))),
                storage.activities().get(0));
        assertEquals(new ActivitySpec("act-encryption", "", SelectorSpec.EMPTY,
                new ProviderSpec("azure-encryption", "azure", "1.4.0", Map.of())), storage.activities().get(1));

        TaskSpec network = plan.tasks().get(1);
        assertEquals(new TaskSpec("task-network", "Verify network security", "0 0 */6 * * *", List.of()), network);
    }

    @Test
    void missingRequiredFields() {
        assertEquals(List.of(
                "plan.yml:1:1: id: is required",
                "plan.yml:3:5: tasks[0].id: is required",
                "plan.yml:3:5: tasks[0].schedule: is required",
                "plan.yml:5:9: tasks[0].activities[0].id: is required",
                "plan.yml:5:9: tasks[0].activities[0].provider: is required (name, package and version of the plugin)",
                "plan.yml:7:19: tasks[0].activities[1].provider.name: is required",
                "plan.yml:7:19: tasks[0].activities[1].provider.package: is required",
                "plan.yml:7:19: tasks[0].activities[1].provider.version: is required"), problems("""
                title: no id
                tasks:
                  - title: no id or schedule
                    activities:
                      - title: no id, no provider
                      - id: a2
                        provider: {}
                """));
    }

    @Test
    void duplicateTaskAndActivityIds() {
        assertEquals(List.of(
                "plan.yml:10:13: tasks[0].activities[2].id: duplicate activity id \"a1\" "
                        + "(also used by tasks[0].activities[0] at line 6)",
                "plan.yml:12:9: tasks[1].id: duplicate task id \"t1\" (also used by tasks[0] at line 3)"), problems("""
                id: p1
                tasks:
                  - id: t1
                    schedule: "*/5 * * * *"
                    activities:
                      - id: a1
                        provider: {name: x, package: x, version: "1"}
                      - id: a2
                        provider: {name: x, package: x, version: "1"}
                      - id: a1
                        provider: {name: y, package: y, version: "1"}
                  - id: t1
                    schedule: "*/5 * * * *"
                """));
    }

    @Test
    void sameActivityIdInDifferentTasksIsFine() {
        PlanSpec plan = PlanSpec.fromFile(write(dir, "plan.yml", """
                id: p1
                tasks:
                  - id: t1
                    schedule: "*/5 * * * *"
                    activities: [{id: a1, provider: {name: x, package: x, version: "1"}}]
                  - id: t2
                    schedule: "*/5 * * * *"
                    activities: [{id: a1, provider: {name: x, package: x, version: "1"}}]
                """));
        assertEquals(2, plan.tasks().size());
    }

    @Test
    void badScheduleAndVersion() {
        List<String> problems = problems("""
                id: p1
                tasks:
                  - id: t1
                    schedule: "61 * *"
                    activities:
                      - id: a1
                        provider:
                          name: x
                          package: x
                          version: ../../bin
                """);
        assertEquals(2, problems.size(), problems::toString);
        assertTrue(problems.get(0).startsWith("plan.yml:4:15: tasks[0].schedule: invalid cron expression \"61 * *\""),
                problems.get(0));
        assertEquals("plan.yml:10:20: tasks[0].activities[0].provider.version: version \"../../bin\" is neither a plain"
                + " version (letters, digits, '.', '_', '+', '-'; no '/' or '..'), a pinned one (1.0.0@sha256:<hex>) nor a"
                + " range (^1.2, ~1.2.3, >=1.0 <2.0, latest)", problems.get(1));
    }

    @Test
    void unknownAndMistypedKeysInNestedSections() {
        assertEquals(List.of(
                "plan.yml:2:1: assessment_plan_id: unknown key \"assessment_plan_id\" (did you mean "
                        + "\"assessment-plan-id\"?); allowed keys: id, title, assessment-plan-id, component-id, "
                        + "control-id, tasks",
                "plan.yml:9:11: tasks[0].activities[0].selector.label: unknown key \"label\" (did you mean "
                        + "\"labels\"?); allowed keys: title, description, query, labels, expressions, ids",
                "plan.yml:10:58: tasks[0].activities[0].selector.expressions[0].values: expected a list, "
                        + "got a plain value"), problems("""
                id: p1
                assessment_plan_id: ap
                tasks:
                  - id: t1
                    schedule: "*/5 * * * *"
                    activities:
                      - id: a1
                        selector:
                          label: {env: prod}
                          expressions: [{key: env, operator: In, values: prod}]
                        provider: {name: x, package: x, version: "1"}
                """));
    }

    @Test
    void tasksMustBeAList() {
        assertEquals(List.of("plan.yml:3:3: tasks: expected a list, got a mapping"), problems("""
                id: p1
                tasks:
                  id: t1
                """));
    }

    @Test
    void fromMapBuildsTheSamePlanAsAFile() {
        Map<String, Object> provider = new LinkedHashMap<>();
        provider.put("name", "azure-blob");
        provider.put("package", "azure");
        provider.put("version", "1.4.0");
        provider.put("configuration", Map.of("retries", 3, "verbose", true, "ratio", 0.5));
        Map<String, Object> selector = new LinkedHashMap<>();
        selector.put("labels", Map.of("env", "prod"));
        selector.put("ids", List.of("sa-001"));
        selector.put("expressions", null); // Go marshals a nil slice without omitempty as null
        Map<String, Object> document = Map.of(
                "id", "p1",
                "title", "From the control plane",
                "assessment-plan-id", "ap-1",
                "tasks", List.of(Map.of(
                        "id", "t1",
                        "schedule", "*/5 * * * *",
                        "activities", List.of(Map.of("id", "a1", "selector", selector, "provider", provider)))));

        PlanSpec plan = PlanSpec.fromMap(document, NATS);

        assertEquals(new PlanSpec("p1", "From the control plane", "ap-1", "", "", List.of(
                new TaskSpec("t1", "", "*/5 * * * *", List.of(new ActivitySpec("a1", "",
                        new SelectorSpec("", "", "", Map.of("env", "prod"), List.of(), List.of("sa-001")),
                        new ProviderSpec("azure-blob", "azure", "1.4.0",
                                Map.of("retries", "3", "verbose", "true", "ratio", "0.5")))))), NATS), plan);
    }

    @Test
    void fromMapReportsProblemsWithoutLineNumbers() {
        Map<String, Object> document = Map.of(
                "tasks", List.of(Map.of(
                        "id", "t1",
                        "activities", List.of(Map.of("id", "a1", "provider", List.of("not", "a", "map"))))));

        List<String> problems = problemsOf(() -> PlanSpec.fromMap(document, NATS));

        assertEquals(List.of(
                NATS + ": id: is required",
                NATS + ": tasks[0].schedule: is required",
                NATS + ": tasks[0].activities[0].provider: expected a mapping, got a list"), problems);
    }
}
