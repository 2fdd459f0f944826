package io.ccf.ar.runtime.config;

import static io.ccf.ar.runtime.config.TestFiles.problemsOf;
import static io.ccf.ar.runtime.config.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code plans} section of config.yml. */
class PlanPolicySettingsTest {
    @TempDir
    Path dir;
    private final RuntimeConfigLoader loader = new RuntimeConfigLoader(Map.of(), () -> "test-host");

    @Test
    void defaultsAreEventsAndRequestsOnWithNoList() {
        PlanPolicySettings plans = loader.load(write(dir, "config.yml", "runtimeId: a\n")).plans();
        assertEquals(PlanPolicySettings.DEFAULTS, plans);
        assertTrue(plans.events());
        assertTrue(plans.requests());
        assertEquals(Optional.empty(), plans.allowedPackages());
    }

    @Test
    void readsSwitchesAndPatterns() {
        PlanPolicySettings plans = loader.load(write(dir, "config.yml",
                "plans:\n  events: false\n  requests: FALSE\n  allowedPackages: [sample, acme-*, \"*\"]\n")).plans();
        assertFalse(plans.events());
        assertFalse(plans.requests());
        assertEquals(Optional.of(List.of("sample", "acme-*", "*")), plans.allowedPackages());
    }

    @Test
    void anExplicitEmptyListIsKept() {
        assertEquals(Optional.of(List.of()), loader.load(write(dir, "config.yml", "plans:\n  allowedPackages: []\n"))
                .plans().allowedPackages());
    }

    @Test
    void badValuesNameTheFieldAndPosition() {
        Path file = write(dir, "config.yml", "plans:\n  events: maybe\n  allowedPackages: [ok, \"../evil\"]\n  nope: 1\n");
        List<String> problems = problemsOf(() -> loader.load(file)).stream()
                .map(p -> p.replace(file.toString(), "config.yml")).toList();
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("config.yml:2:") && p.contains("plans.events")
                && p.contains("must be true or false, got \"maybe\"")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("plans.allowedPackages")
                && p.contains("\"../evil\" is not a package name or pattern")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("nope")), problems.toString());
    }
}
