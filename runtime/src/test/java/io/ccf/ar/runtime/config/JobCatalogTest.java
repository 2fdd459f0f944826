package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobCatalogTest {
    @TempDir
    Path dir;

    private RuntimeConfig config(String yaml) {
        return new RuntimeConfigLoader(Map.of(), () -> "h").load(write(dir, "config.yml", yaml));
    }

    private static final String TWO_PLUGINS = """
            plugins:
              - name: ssh
                package: ssh-check
                version: 1.0.0
                schedule: "*/5 * * * *"
                configuration: {host: 10.0.0.5}
              - name: ssh-strict
                package: ssh-check
                version: 1.0.0
                schedule: "0 * * * *"
            """;

    private PlanSpec plan(String name, String yaml) {
        return PlanSpec.fromFile(write(dir, name, yaml));
    }

    @Test
    void compilesPluginEntriesAndPlanTasksIntoJobs() {
        RuntimeConfig config = config(TWO_PLUGINS);
        PlanSpec plan = PlanSpec.fromFile(TestFiles.resource("original-plan.yaml"));

        JobCatalog catalog = JobCatalog.compile(config, List.of(plan));

        String planId = "8a1f4c2e-7b1d-4c55-9d61-0c5f1b2e3a4d";
        assertEquals(List.of("plugin/ssh", "plugin/ssh-strict", planId + "/task-storage", planId + "/task-network"),
                catalog.jobs().stream().map(JobDefinition::id).toList());
        assertEquals(Set.of(new PackageVersion("ssh-check", "1.0.0"), new PackageVersion("azure", "1.4.0")),
                catalog.requiredPackages());

        JobDefinition pluginJob = catalog.job("plugin/ssh").orElseThrow();
        assertTrue(pluginJob.isPluginJob());
        assertEquals(new JobDefinition("plugin/ssh", "", "ssh", "*/5 * * * *", "", "", "", "", List.of(
                new ActivityDefinition("ssh", "ssh", SelectorSpec.EMPTY, "ssh", "ssh-check", "1.0.0",
                        Map.of("host", "10.0.0.5")))), pluginJob);

        JobDefinition taskJob = catalog.job(planId + "/task-storage").orElseThrow();
        assertEquals(planId, taskJob.planId());
        assertEquals("task-storage", taskJob.taskId());
        assertEquals("Assess Azure storage configuration", taskJob.title());
        assertEquals("*/10 * * * * *", taskJob.schedule());
        assertEquals("comp-azure-storage", taskJob.componentId());
        assertEquals("sc-28", taskJob.controlId());
        assertEquals("ap-2024-01", taskJob.assessmentPlanId());
        assertEquals(List.of("act-blob-policies", "act-encryption"),
                taskJob.activities().stream().map(ActivityDefinition::id).toList());
        ActivityDefinition blob = taskJob.activities().get(0);
        assertEquals("azure-blob", blob.providerName());
        assertEquals(new PackageVersion("azure", "1.4.0"), blob.packageVersion());
        assertEquals(Map.of("env", "prod", "tier", "1"), blob.selector().labels());

        assertEquals(List.of(planId + "/task-storage", planId + "/task-network"),
                catalog.jobsOfPlan(planId).stream().map(JobDefinition::id).toList());
        assertEquals(List.of(), catalog.jobsOfPlan("unknown"));
        assertEquals(Set.of(planId), catalog.planIds());
        assertEquals(Optional.empty(), catalog.job("plugin/none"));
    }

    @Test
    void catalogIsImmutable() {
        JobCatalog catalog = JobCatalog.compile(config(TWO_PLUGINS), List.of());
        assertThrows(UnsupportedOperationException.class, () -> catalog.jobsById().clear());
        assertThrows(UnsupportedOperationException.class, () -> catalog.requiredPackages().clear());
        assertThrows(UnsupportedOperationException.class, () -> catalog.jobs().clear());
    }

    @Test
    void emptyCatalog() {
        assertEquals(List.of(), JobCatalog.empty().jobs());
        assertEquals(Set.of(), JobCatalog.empty().requiredPackages());
        assertEquals(List.of(), JobCatalog.compile(config(""), List.of()).jobs());
    }

    @Test
    void jobIdCollisionBetweenPluginAndPlanTaskIsAnError() {
        RuntimeConfig config = config(TWO_PLUGINS);
        PlanSpec clash = plan("clash.yml", """
                id: plugin
                tasks:
                  - id: ssh
                    schedule: "*/5 * * * *"
                """);

        List<String> problems = problemsOf(() -> JobCatalog.compile(config, List.of(clash)));

        assertEquals(List.of(clash.source() + ": tasks[0].id: job id \"plugin/ssh\" of task \"ssh\" of plan \"plugin\" in "
                + clash.source() + " is already used by plugin \"ssh\" in " + config.configFile()), problems);
    }

    @Test
    void duplicatePlanIdsAreAnError() {
        String yaml = """
                id: p1
                tasks:
                  - id: t1
                    schedule: "*/5 * * * *"
                """;
        PlanSpec fromFile = plan("p1.yml", yaml);
        PlanSpec fromBus = PlanSpec.fromMap(Map.of("id", "p1", "tasks", List.of()), "NATS runtime.configuration");

        List<String> problems = problemsOf(() -> JobCatalog.compile(config(""), List.of(fromFile, fromBus)));

        assertEquals(List.of("NATS runtime.configuration: id: duplicate plan id \"p1\": also defined in "
                + fromFile.source()), problems);
    }

    @Test
    void aConflictingStoredPlanIsSkippedAndTheOthersCompile() {
        RuntimeConfig config = config(TWO_PLUGINS);
        Path plans = dir.resolve("assessments");
        write(plans, "a-collides.yaml", """
                id: plugin
                tasks:
                  - id: ssh
                    schedule: "* * * * *"
                    activities: [{id: a1, provider: {name: ssh, package: ssh-check, version: 1.0.0}}]
                  - id: fine
                    schedule: "* * * * *"
                    activities: [{id: a1, provider: {name: ssh, package: ssh-check, version: 1.0.0}}]
                """);
        write(plans, "b-good.yaml", """
                id: good
                tasks:
                  - id: t1
                    schedule: "* * * * *"
                    activities: [{id: a1, provider: {name: ssh, package: ssh-check, version: 1.0.0}}]
                """);
        PlanLoadResult loaded = PlanDirectory.load(plans);

        assertThrows(ConfigException.class, () -> JobCatalog.compile(config, loaded.plans()));
        JobCatalog.Compiled compiled = JobCatalog.compileSkippingConflicts(config, loaded);

        assertEquals(List.of("plugin/ssh", "plugin/ssh-strict", "good/t1"),
                compiled.catalog().jobs().stream().map(JobDefinition::id).toList());
        assertEquals(List.of("good"), compiled.plans().plans().stream().map(PlanSpec::id).toList());
        assertEquals(1, compiled.plans().rejected().size());
        RejectedPlanFile skipped = compiled.plans().rejected().get(0);
        assertEquals(plans.resolve("a-collides.yaml"), skipped.file());
        assertEquals(List.of(plans.resolve("a-collides.yaml") + ": tasks[0].id: job id \"plugin/ssh\" of task \"ssh\""
                + " of plan \"plugin\" in " + plans.resolve("a-collides.yaml") + " is already used by plugin \"ssh\" in "
                + config.configFile()), skipped.problems().stream().map(ConfigProblem::toString).toList());
        assertEquals(Set.of("good"), compiled.catalog().planIds(), "no task of the skipped plan runs");
    }
}
