package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.GoInterop;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;

/** {@code ar run-once}, {@code validate} and {@code plugins} as real processes, with real plugins. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @BeforeEach
    void installPlugins() {
        TestPackages packages = new TestPackages(dir.resolve("plugins"));
        packages.jar("sample", "1.0.0", TestPackages.sampleJar());
        packages.executable("goplugin", "0.1.0", GoInterop.goPlugin());
    }

    private Path config(String plugins) throws Exception {
        Files.createDirectories(dir.resolve("assessments"));
        return Files.writeString(dir.resolve("config.yml"), "runtimeId: test-runtime\nplugins:\n" + plugins);
    }

    private static String plugin(String name, String pkg, String version, String... config) {
        StringBuilder s = new StringBuilder("  - name: " + name + "\n    package: " + pkg + "\n    version: \"" + version
                + "\"\n    schedule: \"*/1 * * * * *\"\n");
        if (config.length > 0) {
            s.append("    configuration:\n");
            for (int i = 0; i < config.length; i += 2) {
                s.append("      ").append(config[i]).append(": \"").append(config[i + 1]).append("\"\n");
            }
        }
        return s.toString();
    }

    private void plan() throws Exception {
        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("assessments/plan.yaml"), """
                id: plan-a
                title: Plan A
                assessment-plan-id: ap-1
                component-id: comp-1
                control-id: ac-2
                tasks:
                  - id: task-1
                    title: Task 1
                    schedule: "0 0 * * * *"
                    activities:
                      - id: act-1
                        title: Activity 1
                        provider:
                          name: busy
                          package: sample
                          version: 1.0.0
                          configuration:
                            region: eu
                """);
    }

    private List<JsonNode> results(CliProcess ar) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (String line : ar.stdout()) {
            results.add(JSON.readTree(line));
        }
        return results;
    }

    private static Map<String, String> props(JsonNode observation) {
        Map<String, String> props = new HashMap<>();
        observation.path("Props").forEach(p -> props.put(p.path("Name").asText(), p.path("Value").asText()));
        return props;
    }

    @Test
    void runOnceRunsEveryJobAndPrintsOneJsonLinePerResult() throws Exception {
        config(plugin("busy", "sample", "1.0.0", "greeting", "hello"));
        plan();
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            List<JsonNode> results = results(ar);
            assertEquals(6, results.size(), ar.stdout().toString());
            for (JsonNode r : results) {
                assertEquals("SUCCESS", r.path("status").asText(), r.toString());
                assertEquals("", r.path("error").asText());
                assertEquals("test-runtime", r.path("runtimeId").asText());
                assertEquals("sample", r.path("package").asText());
                assertEquals("1.0.0", r.path("version").asText());
                assertTrue(r.path("subjects").path("Id").asText().startsWith("busy-vm-"), r.toString());
                assertEquals(1, r.path("observations").size());
                assertFalse(Instant.parse(r.path("finishedAt").asText()).isBefore(Instant.parse(r.path("startedAt").asText())));
            }
            JsonNode simple = results.stream().filter(r -> r.path("jobId").asText().equals("plugin/busy")).findFirst().orElseThrow();
            assertEquals("hello", props(simple.path("observations").get(0)).get("greeting"));
            JsonNode planned = results.stream().filter(r -> r.path("jobId").asText().equals("plan-a/task-1")).findFirst().orElseThrow();
            assertEquals("ap-1", planned.path("assessmentId").asText());
            assertEquals("comp-1", planned.path("componentId").asText());
            assertEquals("ac-2", planned.path("controlId").asText());
            assertEquals("task-1", planned.path("taskId").asText());
            assertEquals("act-1", planned.path("activityId").asText());
            assertEquals("eu", props(planned.path("observations").get(0)).get("region"));
            assertEquals("busy", props(planned.path("observations").get(0)).get("namespace"), "Evaluate props reach Execute");
        }
    }

    @Test
    void runOnceWithTheGoPluginAndAJobFilter() throws Exception {
        config(plugin("go", "goplugin", "0.1.0", "region", "us") + plugin("busy", "sample", "1.0.0"));
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml", "--job", "go")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            List<JsonNode> results = results(ar);
            assertEquals(3, results.size(), ar.stdout().toString());
            for (JsonNode r : results) {
                assertEquals("plugin/go", r.path("jobId").asText());
                assertEquals("us", props(r.path("observations").get(0)).get("region"));
                assertEquals("go", props(r.path("observations").get(0)).get("implementation"));
            }
        }
    }

    @Test
    void runOnceExitsOneWhenAResultFailsOrAPackageIsMissing() throws Exception {
        config(plugin("busy", "sample", "1.0.0", "fail", "true") + plugin("ghost", "absent", "2.0.0"));
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            List<JsonNode> results = results(ar);
            assertEquals(4, results.size(), ar.stdout().toString());
            List<JsonNode> failed = results.stream().filter(r -> r.path("jobId").asText().equals("plugin/busy")).toList();
            assertEquals(3, failed.size());
            failed.forEach(r -> {
                assertEquals("FAILURE", r.path("status").asText());
                assertTrue(r.path("error").asText().contains("INTERNAL"), r.toString());
            });
            JsonNode ghost = results.stream().filter(r -> r.path("jobId").asText().equals("plugin/ghost")).findFirst().orElseThrow();
            assertTrue(ghost.path("error").asText().contains("absent@2.0.0 is not installed"), ghost.toString());
        }
    }

    @Test
    void validateNamesFileLineAndFieldOfABadCron() throws Exception {
        Files.writeString(dir.resolve("config.yml"), """
                runtimeId: x
                plugins:
                  - name: busy
                    package: sample
                    version: 1.0.0
                    schedule: "* * * * 99 *"
                """);
        try (CliProcess ar = CliProcess.start(dir, "validate", "--config", "config.yml")) {
            assertEquals(2, ar.waitFor(TIMEOUT));
            String err = String.join("\n", ar.stderr());
            assertTrue(err.contains("config.yml:6:"), err);
            assertTrue(err.contains("plugins[0].schedule"), err);
            assertTrue(err.contains("month field"), err);
        }
    }

    @Test
    void validateListsWhatWouldRunAndFlagsMissingPackages() throws Exception {
        config(plugin("busy", "sample", "1.0.0"));
        plan();
        try (CliProcess ar = CliProcess.start(dir, "validate", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            String out = String.join("\n", ar.stdout());
            assertTrue(out.contains("plugin/busy"), out);
            assertTrue(out.contains("plan-a/task-1"), out);
            assertTrue(out.endsWith("ok"), out);
        }
        config(plugin("ghost", "absent", "2.0.0"));
        try (CliProcess ar = CliProcess.start(dir, "validate", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            assertTrue(String.join("\n", ar.stderr()).contains("absent@2.0.0 is not installed"), ar.stderr().toString());
        }
        config(plugin("ranged", "sample", "^1.0") + plugin("future", "sample", "^2.0"));
        try (CliProcess ar = CliProcess.start(dir, "validate", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT), "no registry, and nothing installed matches ^2.0");
            String out = String.join("\n", ar.stdout());
            assertTrue(out.contains("(sample@^1.0) -> 1.0.0 "), out);
            assertTrue(String.join("\n", ar.stderr()).contains("no version of package sample matches \"^2.0\""), ar.stderr().toString());
        }
    }

    @Test
    void validateWarnsAboutAConfigOrPlanFileOthersCanRead() throws Exception {
        config(plugin("busy", "sample", "1.0.0"));
        plan();
        Path configFile = dir.resolve("config.yml");
        Files.setPosixFilePermissions(configFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (java.util.stream.Stream<Path> plans = Files.list(dir.resolve("assessments"))) {
            for (Path p : plans.toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            }
        }
        try (CliProcess ar = CliProcess.start(dir, "validate", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertTrue(ar.stderr().stream().noneMatch(l -> l.contains("readable by others")), ar.stderr().toString());
        }
        Files.setPosixFilePermissions(configFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        try (CliProcess ar = CliProcess.start(dir, "validate", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), "a warning, not a problem: " + ar.stderr());
            String err = String.join("\n", ar.stderr());
            assertTrue(err.contains("warning: " + configFile.toAbsolutePath() + " is readable by others (rw-r--r--)")
                    && err.contains("chmod 600"), err);
        }
    }

    @Test
    void pluginsListsInstalledAndConfigured() throws Exception {
        config(plugin("busy", "sample", "1.0.0") + plugin("ghost", "absent", "2.0.0") + plugin("ranged", "sample", "^1.0"));
        java.nio.file.Path jar = dir.resolve("plugins/sample/1.0.0/sample.jar");
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(jar)));
        new io.ccf.ar.runtime.registry.LockFile(dir.resolve("plugins")).put(new io.ccf.ar.runtime.plugin.PackageRef("sample", "1.0.0"),
                new io.ccf.ar.runtime.registry.LockFile.Entry("sample.jar", sha, "http://registry.example/sample/1.0.0/sample.jar", "now"));
        try (CliProcess ar = CliProcess.start(dir, "plugins", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT));
            String out = String.join("\n", ar.stdout());
            assertTrue(out.contains("sample@1.0.0  jar sample.jar  verified sha256:" + sha.substring(0, 12)), out);
            assertTrue(out.contains("goplugin@0.1.0  executable goplugin  not in plugins.lock (placed by hand)"), out);
            assertTrue(out.contains("busy  sample@1.0.0  present"), out);
            assertTrue(out.contains("ranged  sample@^1.0  -> 1.0.0 present"), out);
            assertTrue(out.contains("ghost  absent@2.0.0  MISSING"), out);
        }
        config(plugin("busy", "sample", "1.0.0"));
        try (CliProcess ar = CliProcess.start(dir, "plugins", "--config", "config.yml")) {
            assertEquals(0, ar.waitFor(TIMEOUT), ar.stdout().toString());
        }
        java.nio.file.Files.write(jar, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        try (CliProcess ar = CliProcess.start(dir, "plugins", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(TIMEOUT), "a modified package is a problem");
            assertTrue(String.join("\n", ar.stdout()).contains("sample@1.0.0  jar sample.jar  MODIFIED: "), ar.stdout().toString());
        }
    }

    @Test
    void jsonLogsAreOneObjectPerLineWithTheRunIds() throws Exception {
        config(plugin("busy", "sample", "1.0.0"));
        try (CliProcess ar = CliProcess.start(dir, "run-once", "--config", "config.yml", "--log-format", "json")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            JsonNode finished = null;
            for (String line : ar.stderr()) {
                JsonNode event = JSON.readTree(line); // every line is JSON
                if (event.path("formattedMessage").asText().equals("run finished")) {
                    finished = event;
                }
            }
            assertTrue(finished != null, ar.stderr().toString());
            assertEquals("plugin/busy", finished.path("mdc").path("job").asText(), finished.toString());
            assertFalse(finished.path("mdc").path("run").asText().isEmpty(), finished.toString());
        }
    }

    @Test
    void helpWorksEverywhere() throws Exception {
        for (String command : List.of("daemon", "run-once", "validate", "plugins")) {
            try (CliProcess ar = CliProcess.start(dir, command, "--help")) {
                assertEquals(0, ar.waitFor(TIMEOUT));
                assertTrue(String.join("\n", ar.stdout()).contains("--config"), command + ": " + ar.stdout());
            }
        }
    }
}
