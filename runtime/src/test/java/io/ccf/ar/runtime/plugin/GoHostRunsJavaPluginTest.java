package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Interop, the other way round: a real Go go-plugin host (Debian's go-plugin 1.0.1) runs our sample
 * plugin jar. Its Kill() returning well under go-plugin's 2 s fallback proves Controller.Shutdown works.
 */
class GoHostRunsJavaPluginTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private List<JsonNode> runGoHost(Map<String, String> env, String... config) throws IOException, InterruptedException {
        return runGoHost(false, env, config);
    }

    private List<JsonNode> runGoHost(boolean autoMTLS, Map<String, String> env, String... config)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(GoInterop.goHost().toString()));
        if (autoMTLS) {
            cmd.add("-automtls");
        }
        for (String c : config) {
            cmd.add("-config");
            cmd.add(c);
        }
        cmd.addAll(List.of("--", PluginHostOptions.defaults().javaCommand().toString(), "-jar",
                TestPackages.sampleJar().toString()));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(dir.resolve("gohost.stderr").toFile());
        builder.environment().putAll(env);
        Process host = builder.start();
        String stdout = new String(host.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(host.waitFor(60, TimeUnit.SECONDS), "gohost did not finish");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private String hostLog() throws IOException {
        return Files.readString(dir.resolve("gohost.stderr"));
    }

    private void assertBusyResultsAndPromptKill(List<JsonNode> lines) throws IOException {
        assertEquals(4, lines.size(), "3 results and the kill line expected, got " + lines + "\n" + hostLog());
        for (int i = 0; i < 3; i++) {
            JsonNode result = lines.get(i);
            assertEquals("SUCCESS", result.path("status").asText(), result + "\n" + hostLog());
            assertEquals(1, result.path("observations").asInt());
            assertEquals("hi", result.path("observationProps").path("greeting").asText(), result.toString());
            assertEquals("busy", result.path("observationProps").path("namespace").asText(), result.toString());
        }
        JsonNode kill = lines.get(3);
        assertTrue(kill.path("exited").asBoolean(), kill.toString());
        assertTrue(kill.path("killMillis").asLong() < 1500,
                "Kill() should return well before go-plugin's 2 s fallback: " + kill);
    }

    @Test
    void goHostRunsTheSampleJarOverTcp() throws Exception {
        assertBusyResultsAndPromptKill(runGoHost(Map.of(), "greeting=hi"));
        // our hclog JSON reached the Go host's logger as structured lines
        assertTrue(hostLog().contains("plugin started"), hostLog());
    }

    /** go-plugin's own AutoMTLS client against our SDK's server: TLS both ways, each side pinning the other. */
    @Test
    void goHostWithAutoMtlsRunsTheSampleJar() throws Exception {
        assertBusyResultsAndPromptKill(runGoHost(true, Map.of(), "greeting=hi"));
        assertTrue(hostLog().contains("configuring client automatic mTLS"), hostLog());
        assertTrue(hostLog().contains("tls=auto-mTLS"), "the plugin served TLS:\n" + hostLog());
    }

    @Test
    void goHostWithAutoMtlsRunsTheSampleJarOverAUnixSocket() throws Exception {
        Path sockets = Files.createDirectories(dir.resolve("sockets"));
        assertBusyResultsAndPromptKill(runGoHost(true, Map.of("AR_PLUGIN_TRANSPORT", "unix",
                "PLUGIN_UNIX_SOCKET_DIR", sockets.toString()), "greeting=hi"));
        assertTrue(hostLog().contains("tls=auto-mTLS"), "the plugin served TLS:\n" + hostLog());
    }

    @Test
    void goHostRunsTheSampleJarOverAUnixSocket() throws Exception {
        Path sockets = Files.createDirectories(dir.resolve("sockets"));
        assertBusyResultsAndPromptKill(runGoHost(Map.of("AR_PLUGIN_TRANSPORT", "unix",
                "PLUGIN_UNIX_SOCKET_DIR", sockets.toString()), "greeting=hi"));
        try (var left = Files.list(sockets)) {
            assertEquals(List.of(), left.toList(), "the plugin removes its socket on shutdown");
        }
    }

    @Test
    void executeErrorsReachTheGoHost() throws Exception {
        List<JsonNode> lines = runGoHost(Map.of(), "fail=true");
        assertEquals("FAILURE", lines.get(0).path("status").asText(), lines.toString());
        assertTrue(lines.get(0).path("error").asText().contains("Internal"), lines.toString());
    }
}
