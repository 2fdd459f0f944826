package io.ccf.ar.runtime.scaffold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.testing.CliProcess;

/**
 * Runs an installed, generated disk-check plugin under the real runtime ({@code ar run-once}) with two jobs on
 * one path: "roomy" needs 0 MiB free (passes), "full" needs 10^12 MiB (fails with a finding for the path).
 */
final class DiskCheckRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DiskCheckRun() {
    }

    /** {@code pluginsDir} holds {@code packageName@0.1.0}; the config and results go to {@code workDir}. */
    static void assertChecksUnderTheRuntime(Path workDir, String packageName, Path checkedPath) throws Exception {
        Files.createDirectories(workDir.resolve("assessments"));
        Files.writeString(workDir.resolve("config.yml"), "runtimeId: scaffold-test\npluginsDir: plugins\nplugins:\n"
                + job("roomy", packageName, checkedPath, "0") + job("full", packageName, checkedPath, "1000000000000"));
        try (CliProcess ar = CliProcess.start(workDir, "run-once", "--config", "config.yml")) {
            assertEquals(1, ar.waitFor(Commands.AR_TIMEOUT), "one result fails: " + String.join("\n", ar.stderr()));
            Map<String, JsonNode> byJob = new HashMap<>();
            for (String line : ar.stdout()) {
                JsonNode result = JSON.readTree(line);
                assertEquals(null, byJob.put(result.path("jobId").asText(), result), "one subject per job: " + ar.stdout());
            }
            JsonNode roomy = byJob.get("plugin/roomy");
            JsonNode full = byJob.get("plugin/full");
            assertTrue(roomy != null && full != null, ar.stdout().toString());
            for (JsonNode r : List.of(roomy, full)) {
                assertEquals("", r.path("error").asText(), r.toString());
                assertEquals(packageName, r.path("package").asText());
                assertEquals(checkedPath.toString(), r.path("subjects").path("Id").asText(), r.toString());
                assertEquals(1, r.path("observations").size(), r.toString());
                assertTrue(Long.parseLong(props(r.path("observations").get(0)).get("free_mib")) >= 0, r.toString());
            }
            assertEquals("SUCCESS", roomy.path("status").asText(), roomy.toString());
            assertEquals(0, roomy.path("findings").size(), roomy.toString());
            assertEquals("FAILURE", full.path("status").asText(), full.toString());
            assertEquals(1, full.path("findings").size(), full.toString());
            JsonNode finding = full.path("findings").get(0);
            assertEquals(checkedPath.toString(), finding.path("SubjectId").asText(), finding.toString());
            assertTrue(finding.path("Title").asText().startsWith("Less than 1000000000000 MiB free at "), finding.toString());
            assertTrue(String.join("\n", ar.stderr()).contains("checked"), "the plugin's log reaches the runtime's");
        }
    }

    /**
     * Runs the generated plugin file with {@code ar run-plugin} (the author's quick loop, no config file): enough
     * room passes (exit 0), an impossible minimum fails with a finding for the path (exit 1, named on stderr).
     */
    static void assertChecksWithRunPlugin(Path workDir, Path pluginFile, Path checkedPath) throws Exception {
        for (String minFree : List.of("0", "1000000000000")) {
            boolean passes = minFree.equals("0");
            try (CliProcess ar = CliProcess.start(workDir, "run-plugin", pluginFile.toString(),
                    "--config", "path=" + checkedPath, "--config", "min_free_mb=" + minFree)) {
                assertEquals(passes ? 0 : 1, ar.waitFor(Commands.AR_TIMEOUT), String.join("\n", ar.stderr()));
                assertEquals(1, ar.stdout().size(), "one JSON line per subject: " + ar.stdout());
                JsonNode result = JSON.readTree(ar.stdout().get(0));
                assertEquals(checkedPath.toString(), result.path("subjects").path("Id").asText(), result.toString());
                assertEquals(passes ? "SUCCESS" : "FAILURE", result.path("status").asText(), result.toString());
                assertEquals(passes ? 0 : 1, result.path("findings").size(), result.toString());
                if (!passes) {
                    assertTrue(String.join("\n", ar.stderr()).contains("1 of 1 result(s) failed"),
                            String.join("\n", ar.stderr()));
                }
            }
        }
    }

    private static String job(String name, String packageName, Path path, String minFreeMb) {
        return "  - name: " + name + "\n    package: " + packageName + "\n    version: 0.1.0\n"
                + "    schedule: \"0 0 * * * *\"\n    configuration:\n      path: \"" + path + "\"\n"
                + "      min_free_mb: \"" + minFreeMb + "\"\n";
    }

    private static Map<String, String> props(JsonNode observation) {
        Map<String, String> props = new HashMap<>();
        observation.path("Props").forEach(p -> props.put(p.path("Name").asText(), p.path("Value").asText()));
        return props;
    }
}
