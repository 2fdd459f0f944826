package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.GoInterop;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;

/** {@code ar run-plugin FILE}: real {@code ar} processes running the real sample jar and the Go interop plugin. */
class RunPluginCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** "plugin started" (host) and the exit of a crashed child both name the pid. */
    private static final Pattern PID = Pattern.compile("pid[=\" ]+(\\d+)");

    @TempDir
    Path dir;

    private CliProcess runPlugin(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("run-plugin"));
        all.addAll(List.of(args));
        return CliProcess.start(dir, all.toArray(String[]::new));
    }

    private static List<JsonNode> results(CliProcess ar) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (String line : ar.stdout()) {
            results.add(JSON.readTree(line));
        }
        return results;
    }

    private static List<String> subjectIds(List<JsonNode> results) {
        return results.stream().map(r -> r.path("subjects").path("Id").asText()).sorted().toList();
    }

    private static Map<String, String> props(JsonNode result) {
        Map<String, String> props = new HashMap<>();
        result.path("observations").get(0).path("Props").forEach(p -> props.put(p.path("Name").asText(), p.path("Value").asText()));
        return props;
    }

    /** Every plugin process the run named is gone once ar has exited. */
    private static void assertNoChildLeft(CliProcess ar) {
        Set<Long> pids = new TreeSet<>();
        for (String line : ar.stderr()) {
            Matcher m = PID.matcher(line);
            while (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
        }
        assertFalse(pids.isEmpty(), "the plugin's pid is logged: " + ar.stderr());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "plugin process " + pid + " outlived ar");
        }
    }

    private static String stderr(CliProcess ar) {
        return String.join("\n", ar.stderr());
    }

    @Test
    void theSampleJarPrintsOneJsonLinePerSubjectWithItsConfiguration() throws Exception {
        try (CliProcess ar = runPlugin(TestPackages.sampleJar().toString(), "--config", "greeting=hello",
                "--config", "subjects=4")) {
            assertEquals(0, ar.waitFor(TIMEOUT), stderr(ar));
            List<JsonNode> results = results(ar);
            assertEquals(List.of("busy-vm-0", "busy-vm-1", "busy-vm-2", "busy-vm-3"), subjectIds(results),
                    "subjects=4 reached Evaluate: " + ar.stdout());
            for (JsonNode r : results) {
                assertEquals("SUCCESS", r.path("status").asText(), r.toString());
                assertEquals("", r.path("error").asText());
                assertEquals("sample", r.path("package").asText());
                assertEquals("plugin/sample", r.path("jobId").asText());
                assertEquals("hello", props(r).get("greeting"), "the --config map reached Execute: " + r);
                assertEquals("busy", props(r).get("namespace"), "Evaluate's props reached Execute: " + r);
            }
            assertTrue(stderr(ar).contains("plugin.sample"), "the plugin's log lines are on stderr: " + stderr(ar));
            assertNoChildLeft(ar);
        }
    }

    @Test
    void subjectOptionsExecuteOnlyTheSubjectsNamed() throws Exception {
        try (CliProcess ar = runPlugin(TestPackages.sampleJar().toString(), "--subject", "busy-vm-2",
                "--subject", "busy-vm-0")) {
            assertEquals(0, ar.waitFor(TIMEOUT), stderr(ar));
            assertEquals(List.of("busy-vm-0", "busy-vm-2"), subjectIds(results(ar)), ar.stdout().toString());
        }
    }

    @Test
    void anUnknownSubjectIsAUsageErrorNamingTheSubjectsEvaluateReturned() throws Exception {
        try (CliProcess ar = runPlugin(TestPackages.sampleJar().toString(), "--subject", "busy-vm-0",
                "--subject", "vm-9")) {
            assertEquals(2, ar.waitFor(TIMEOUT), stderr(ar));
            assertEquals(List.of(), ar.stdout(), "nothing was executed");
            String err = stderr(ar);
            assertTrue(err.contains("no subject \"vm-9\" among the 3 subject(s) Evaluate returned: busy-vm-0, busy-vm-1, busy-vm-2"), err);
            assertNoChildLeft(ar);
        }
    }

    @Test
    void aGoPluginRunsDirectly() throws Exception {
        try (CliProcess ar = runPlugin(GoInterop.goPlugin().toString(), "--config", "region=us")) {
            assertEquals(0, ar.waitFor(TIMEOUT), stderr(ar));
            List<JsonNode> results = results(ar);
            assertEquals(3, results.size(), ar.stdout().toString());
            for (JsonNode r : results) {
                assertEquals("SUCCESS", r.path("status").asText(), r.toString());
                assertEquals("goplugin", r.path("package").asText());
                assertEquals("us", props(r).get("region"), r.toString());
                assertEquals("go", props(r).get("implementation"), r.toString());
            }
            assertNoChildLeft(ar);
        }
    }

    @Test
    void aPluginThatCrashesInExecuteExitsOneWithTheReasonAndLeavesNoChild() throws Exception {
        try (CliProcess ar = runPlugin(TestPackages.sampleJar().toString(), "--config", "exit_on_execute=true")) {
            assertEquals(1, ar.waitFor(TIMEOUT), stderr(ar));
            List<JsonNode> results = results(ar);
            assertEquals(3, results.size(), "one result per subject, each a failure: " + ar.stdout());
            results.forEach(r -> assertEquals("FAILURE", r.path("status").asText(), r.toString()));
            String err = stderr(ar);
            assertTrue(err.contains("ar run-plugin: 3 of 3 result(s) failed:"), err);
            assertTrue(err.contains("died during Execute") && err.contains("exited with code 3"), err);
            assertNoChildLeft(ar);
        }
    }

    @Test
    void aMissingFileABadConfigAndAFileThatCannotRunAreUsageErrors() throws Exception {
        try (CliProcess ar = runPlugin("absent.jar")) {
            assertEquals(2, ar.waitFor(TIMEOUT));
            assertTrue(stderr(ar).contains("plugin file absent.jar does not exist"), stderr(ar));
        }
        try (CliProcess ar = runPlugin(TestPackages.sampleJar().toString(), "--config", "greeting")) {
            assertEquals(2, ar.waitFor(TIMEOUT));
            assertTrue(stderr(ar).contains("should be in KEY=VALUE format but was greeting"), stderr(ar));
        }
        try (CliProcess ar = runPlugin(TestPackages.sampleJar().toString(), "--config", "=hello")) {
            assertEquals(2, ar.waitFor(TIMEOUT));
            assertTrue(stderr(ar).contains("--config needs KEY=VALUE with a key"), stderr(ar));
        }
        Path script = Files.writeString(dir.resolve("plugin.sh"), "#!/bin/sh\nexit 0\n");
        try (CliProcess ar = runPlugin(script.toString())) {
            assertEquals(2, ar.waitFor(TIMEOUT));
            assertTrue(stderr(ar).contains("is neither a .jar nor executable (chmod +x it"), stderr(ar));
        }
    }
}
