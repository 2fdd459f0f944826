package io.ccf.ar.runtime.plans;

import static io.ccf.ar.runtime.plans.TestPlans.full;
import static io.ccf.ar.runtime.plans.TestPlans.minimal;
import static io.ccf.ar.runtime.plans.TestPlans.withoutSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.PlanDirectory;
import io.ccf.ar.runtime.config.PlanLoadResult;
import io.ccf.ar.runtime.config.PlanSpec;

class PlanStoreTest {
    @TempDir
    Path dir;

    @Test
    void aWrittenPlanLoadsBackEqual() {
        PlanSpec plan = full("8a1f4c2e-7b1d-4c55-9d61-0c5f1b2e3a4d");

        PlanSpec stored = new PlanStore(dir).put(plan);

        Path file = dir.resolve("8a1f4c2e-7b1d-4c55-9d61-0c5f1b2e3a4d.yaml");
        assertEquals(file.toString(), stored.source());
        PlanLoadResult loaded = PlanDirectory.load(dir);
        assertEquals(List.of(), loaded.problems());
        assertEquals(List.of(withoutSource(plan)), loaded.plans().stream().map(TestPlans::withoutSource).toList());
        assertEquals(stored, loaded.plans().get(0));
    }

    @Test
    void fileUsesThePlanFileKeyNamesInTheGoRuntimesOrder() throws IOException {
        new PlanStore(dir).put(minimal("p1"));

        assertEquals("""
                # Written by the assessment runtime; an update of this plan replaces the whole file.
                id: p1
                title: ''
                assessment-plan-id: ''
                component-id: ''
                control-id: ''
                tasks:
                  - id: t1
                    title: ''
                    schedule: '*/5 * * * *'
                    activities:
                      - id: a1
                        title: ''
                        selector: {}
                        provider:
                          name: busy
                          package: sample
                          version: 1.0.0
                          configuration: {}
                """, Files.readString(dir.resolve("p1.yaml")));
    }

    @Test
    void rewritesTheFileThePlanAlreadyLivesInWhateverItsName() throws IOException {
        Path handWritten = Files.writeString(dir.resolve("my-plan.yml"), """
                id: p1
                tasks: []
                """);
        PlanSpec updated = full("p1");

        PlanSpec stored = new PlanStore(dir).put(updated);

        assertEquals(handWritten.toString(), stored.source());
        assertFalse(Files.exists(dir.resolve("p1.yaml")));
        assertEquals(withoutSource(updated), withoutSource(PlanSpec.fromFile(handWritten)));
        assertEquals(List.of(handWritten), planFiles());
    }

    @Test
    void replacingAPlanLeavesNoTemporaryFilesAndMakesItPrivate() throws IOException {
        PlanStore store = new PlanStore(dir);
        store.put(minimal("p1"));
        Path file = dir.resolve("p1.yaml");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));

        store.put(full("p1"));

        // plugin configuration may hold secrets: a plan file the runtime writes is 0600, whatever it was
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> all = Files.list(dir)) {
            assertEquals(List.of(file), all.toList());
        }
        assertEquals("Azure storage \"security\"", PlanSpec.fromFile(file).title());
    }

    @Test
    void createsTheAssessmentsDirectoryWhenMissing() {
        Path missing = dir.resolve("assessments");
        new PlanStore(missing).put(minimal("p1"));
        assertEquals(List.of("p1"), PlanDirectory.load(missing).plans().stream().map(PlanSpec::id).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", "a\\b", ".hidden", "-dash-first", "a..b", "with space", "tab\tid",
            "é", ""})
    void refusesIdsThatCannotNameAFile(String id) throws IOException {
        PlanSpec plan = new PlanSpec(id, "", "", "", "", List.of(), "NATS runtime.configuration");

        ConfigException e = assertThrows(ConfigException.class, () -> new PlanStore(dir).put(plan));

        assertTrue(e.getMessage().startsWith("NATS runtime.configuration: id: \"" + id + "\" cannot name a plan file"),
                e.getMessage());
        assertEquals(List.of(), planFiles());
        assertFalse(Files.exists(dir.resolve("escape.yaml")) || Files.exists(dir.getParent().resolve("escape.yaml")));
    }

    @Test
    void refusesAnIdTooLongForAFileName() {
        assertThrows(ConfigException.class, () -> new PlanStore(dir).put(minimal("x".repeat(201))));
        new PlanStore(dir).put(minimal("x".repeat(200)));
    }

    @Test
    void aPlanLoadedFromAFileIsRewrittenThereEvenWithAnIdThatCouldNotNameANewFile() throws IOException {
        Path file = Files.writeString(dir.resolve("odd.yaml"), "id: \"odd id/with slash\"\ntasks: []\n");
        PlanSpec stored = new PlanStore(dir).put(new PlanSpec("odd id/with slash", "new title", "", "", "", List.of(),
                "NATS runtime.configuration"));
        assertEquals(file.toString(), stored.source());
        assertEquals("new title", PlanSpec.fromFile(file).title());
    }

    @Test
    void doesNotOverwriteAFileNamedAfterTheIdThatHoldsAnotherPlan() throws IOException {
        Path other = Files.writeString(dir.resolve("p1.yaml"), "id: p2\ntasks: []\n");

        ConfigException e = assertThrows(ConfigException.class, () -> new PlanStore(dir).put(minimal("p1")));

        assertTrue(e.getMessage().contains(other + " already holds plan \"p2\""), e.getMessage());
        assertEquals("p2", PlanSpec.fromFile(other).id());
    }

    @Test
    void replacesABrokenFileNamedAfterThePlan() throws IOException {
        Files.writeString(dir.resolve("p1.yaml"), "id: p1\ntasks: [\n");
        new PlanStore(dir).put(minimal("p1"));
        assertEquals(List.of("p1"), PlanDirectory.load(dir).plans().stream().map(PlanSpec::id).toList());
    }

    @Test
    void removeDeletesThePlansFileAndDuplicatesOfIt() throws IOException {
        PlanStore store = new PlanStore(dir);
        Path first = Files.writeString(dir.resolve("a.yml"), "id: p1\ntasks: []\n");
        Path duplicate = Files.writeString(dir.resolve("b.yml"), "id: p1\ntitle: copy\ntasks: []\n");
        Path broken = Files.writeString(dir.resolve("c.yml"), "id: p1\ntasks: [\n");
        store.put(minimal("p2"));

        assertEquals(List.of(first, duplicate), store.remove("p1"));

        assertEquals(List.of("p2"), store.plans().plans().stream().map(PlanSpec::id).toList());
        assertTrue(Files.exists(broken), "a file that cannot be read is not ours to delete");
    }

    @Test
    void removingAnUnknownPlanDeletesNothing() {
        PlanStore store = new PlanStore(dir);
        store.put(minimal("p1"));
        assertEquals(List.of(), store.remove("p2"));
        assertEquals(List.of(), store.remove("../p1"));
        assertEquals(List.of("p1"), store.plans().plans().stream().map(PlanSpec::id).toList());
    }

    @Test
    void plansRereadsTheDirectory() throws IOException {
        PlanStore store = new PlanStore(dir);
        store.put(minimal("p1"));
        Files.writeString(dir.resolve("by-hand.yaml"), "id: p0\ntasks: []\n");
        assertEquals(List.of("p0", "p1"), store.plans().plans().stream().map(PlanSpec::id).toList());
    }

    private List<Path> planFiles() throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.sorted().toList();
        }
    }
}
