package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.testing.BillionLaughs;

/** Documents that would expand past {@link NodeBudget#MAX_NODES} are refused before they are built. */
class DocumentSizeLimitTest {
    private static final Duration FAST = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void anAliasBombInConfigYmlIsRefusedWithFileLineAndLimit() {
        Path file = write(dir, "config.yml", "runtimeId: rt\nplugins:\n  - name: busy\n    package: sample\n"
                + "    version: 1.0.0\n    schedule: \"* * * * *\"\n    configuration:\n      lol: "
                + BillionLaughs.yamlSequence() + "\n");
        assertTrue(file.toFile().length() < 1024, "the bomb is under 1 KB");
        List<String> problems = assertTimeoutPreemptively(FAST,
                () -> problemsOf(() -> new RuntimeConfigLoader(Map.of(), () -> "h").load(file)));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).matches(java.util.regex.Pattern.quote(file.toString())
                + ":8:\\d+: document expands to more than 100,000 nodes \\(YAML aliases.*"), problems.get(0));
    }

    @Test
    void anAliasBombInAPlanFileRejectsThatFileOnly() {
        write(dir, "a-bomb.yaml", "id: bomb\ntasks: " + BillionLaughs.yamlSequence() + "\n");
        write(dir, "b-good.yaml", "id: good\ntasks: []\n");
        PlanLoadResult loaded = assertTimeoutPreemptively(FAST, () -> PlanDirectory.load(dir));
        assertEquals(List.of("good"), loaded.plans().stream().map(PlanSpec::id).toList());
        assertEquals(1, loaded.rejected().size());
        String problem = loaded.rejected().get(0).problems().get(0).toString();
        assertTrue(problem.startsWith(dir.resolve("a-bomb.yaml") + ":2:"), problem);
        assertTrue(problem.contains("expands to more than 100,000 nodes"), problem);
    }

    @Test
    void aFewAliasesStillLoad() {
        Path file = write(dir, "p.yaml", """
                id: p
                tasks:
                  - id: t1
                    schedule: "* * * * *"
                    activities:
                      - id: a1
                        provider: &provider {name: busy, package: sample, version: 1.0.0}
                      - id: a2
                        provider: *provider
                """);
        assertEquals("sample", PlanSpec.fromFile(file).tasks().get(0).activities().get(1).provider().packageName());
    }

    @Test
    void aDecodedDocumentWithTooManyValuesIsRefusedNamingItsSource() {
        List<Object> manyLists = java.util.Collections.nCopies(NodeBudget.MAX_NODES, List.of());
        List<String> problems = problemsOf(() -> PlanSpec.fromMap(Map.of("id", "p", "tasks", manyLists), "NATS x"));
        assertEquals(List.of("NATS x: document expands to more than 100,000 nodes (too large for a configuration"
                + " document)"), problems);
    }
}
