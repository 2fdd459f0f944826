package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanDirectoryTest {
    @TempDir
    Path dir;

    private static String plan(String id) {
        return """
                id: %s
                tasks:
                  - id: t1
                    schedule: "*/5 * * * *"
                    activities:
                      - id: a1
                        provider: {name: x, package: x, version: "1.0.0"}
                """.formatted(id);
    }

    @Test
    void badFileIsReportedAndSkippedWhileGoodOnesLoad() {
        Path good = write(dir, "good.yml", plan("p-good"));
        write(dir, "also-good.yaml", plan("p-also-good"));
        Path bad = write(dir, "bad.yml", """
                id: p-bad
                tasks:
                  - id: t1
                    schedul: "*/5 * * * *"
                """);
        write(dir, "notes.txt", "not a plan");
        write(dir, ".hidden.yml", "this: [is not valid");

        PlanLoadResult result = PlanDirectory.load(dir);

        assertEquals(List.of("p-also-good", "p-good"), result.plans().stream().map(PlanSpec::id).toList());
        assertEquals(good.toString(), result.plans().get(1).source());
        assertTrue(result.hasProblems());
        assertEquals(1, result.rejected().size());
        RejectedPlanFile rejected = result.rejected().get(0);
        assertEquals(bad, rejected.file());
        assertEquals(List.of(
                bad + ":3:5: tasks[0].schedule: is required",
                bad + ":4:5: tasks[0].schedul: unknown key \"schedul\" (did you mean \"schedule\"?); "
                        + "allowed keys: id, title, schedule, activities"),
                rejected.problems().stream().map(ConfigProblem::toString).toList());
        assertEquals(rejected.problems(), result.problems());
    }

    @Test
    void syntaxErrorInOneFileDoesNotStopTheOthers() {
        write(dir, "a.yml", plan("p-a"));
        Path broken = write(dir, "b.yml", "id: p-b\ntasks: [\n");

        PlanLoadResult result = PlanDirectory.load(dir);

        assertEquals(List.of("p-a"), result.plans().stream().map(PlanSpec::id).toList());
        assertEquals(1, result.problems().size());
        ConfigProblem problem = result.problems().get(0);
        assertEquals(broken.toString(), problem.source());
        assertEquals(3, problem.line());
    }

    @Test
    void duplicatePlanIdAcrossFilesNamesBothFiles() {
        Path first = write(dir, "a.yml", plan("same"));
        Path second = write(dir, "b.yml", "title: second\n" + plan("same"));

        PlanLoadResult result = PlanDirectory.load(dir);

        assertEquals(List.of(first.toString()), result.plans().stream().map(PlanSpec::source).toList());
        assertEquals(List.of(second + ":2:5: id: duplicate plan id \"same\": already defined in " + first),
                result.problems().stream().map(ConfigProblem::toString).toList());
        assertEquals(second, result.rejected().get(0).file());
    }

    @Test
    void missingDirectoryMeansNoPlans() {
        PlanLoadResult result = PlanDirectory.load(dir.resolve("absent"));
        assertEquals(List.of(), result.plans());
        assertFalse(result.hasProblems());
    }

    @Test
    void emptyDirectoryMeansNoPlans() {
        PlanLoadResult result = PlanDirectory.load(dir);
        assertEquals(List.of(), result.plans());
        assertFalse(result.hasProblems());
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsReported() {
        Path notADir = write(dir, "assessments", "x");
        PlanLoadResult result = PlanDirectory.load(notADir);
        assertEquals(List.of(notADir + ": is not a directory"),
                result.problems().stream().map(ConfigProblem::toString).toList());
    }
}
