package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.Processes;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/**
 * The fleet view with real processes: daemons on a real nats-server publish heartbeats and answer
 * {@code runtime.status}; {@code ar status} (a real CLI process) lists them and flags the runtime whose jobs differ.
 */
class FleetStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Never fires during the test: the jobs are there to be compared, not run. */
    private static final String NEVER = "0 0 1 1 *";
    private static final String BUSY = "  - {name: busy, package: sample, version: 1.0.0, schedule: \"" + NEVER + "\","
            + " configuration: {apiKey: plugin-secret-value}}\n";

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private Connection client;
    private final List<CliProcess> runtimes = new ArrayList<>();
    private final BlockingQueue<JsonNode> heartbeats = new LinkedBlockingQueue<>();
    private final Map<String, String> heartbeatSubjects = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        client = Nats.connect(nats.url());
        client.createDispatcher(m -> {
            try {
                JsonNode beat = JSON.readTree(m.getData());
                synchronized (heartbeatSubjects) {
                    heartbeatSubjects.put(beat.path("runtimeId").asText(), m.getSubject());
                }
                heartbeats.add(beat);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).subscribe("runtime.heartbeat.>");
        client.flush(Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.forEach(CliProcess::close);
        client.close();
        nats.close();
    }

    private CliProcess runtime(String id, String extraConfig, String plugins) throws Exception {
        Path home = Files.createDirectories(dir.resolve(id));
        Files.createDirectories(home.resolve("assessments"));
        Files.writeString(home.resolve("config.yml"), "runtimeId: " + id + "\n"
                + "eventBusURL: " + nats.url() + "\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "timeZone: UTC\n"
                + "execution:\n  gracePeriod: 2s\n"
                + extraConfig
                + "plugins:\n" + plugins);
        CliProcess ar = CliProcess.start(home, "--config", "config.yml");
        runtimes.add(ar);
        ar.awaitLog("answering status requests", TIMEOUT);
        return ar;
    }

    /** {@code ar status ARGS} as a process: its exit code and stdout. */
    private record Status(int exitCode, String stdout, String stderr) {
    }

    private Status status(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("status", "--nats", nats.url(), "--wait", "2s"));
        argv.addAll(List.of(args));
        try (CliProcess ar = CliProcess.start(dir, argv.toArray(String[]::new))) {
            int code = ar.waitFor(TIMEOUT);
            return new Status(code, String.join("\n", ar.stdout()), String.join("\n", ar.stderr()));
        }
    }

    private static JsonNode runtimeNode(JsonNode doc, String id) {
        for (JsonNode r : doc.path("runtimes")) {
            if (r.path("runtimeId").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no runtime " + id + " in " + doc);
    }

    private JsonNode awaitHeartbeat(String runtimeId) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode beat = heartbeats.poll(200, TimeUnit.MILLISECONDS);
            if (beat != null && beat.path("runtimeId").asText().equals(runtimeId)) {
                return beat;
            }
        }
        throw new AssertionError("no heartbeat from " + runtimeId + " within " + TIMEOUT);
    }

    @Test
    void heartbeatsCarryTheStatusAndARestartedPluginIsCounted() throws Exception {
        CliProcess a = runtime("rt-a", "heartbeatInterval: 300ms\n", BUSY);

        JsonNode first = awaitHeartbeat("rt-a");
        JsonNode second = awaitHeartbeat("rt-a");
        assertNotEquals(first.path("sentAt").asText(), second.path("sentAt").asText(), "a heartbeat repeated");
        synchronized (heartbeatSubjects) {
            assertEquals("runtime.heartbeat.rt-a", heartbeatSubjects.get("rt-a"));
        }
        assertEquals("UTC", first.path("timeZone").asText());
        assertEquals(1, first.path("jobCount").asInt());
        assertEquals("plugin/busy", first.path("jobs").get(0).path("id").asText());
        assertEquals(NEVER, first.path("jobs").get(0).path("schedule").asText());
        assertEquals(64, first.path("jobsDigest").asText().length());
        assertTrue(first.path("version").asText().startsWith("0."), first.toString());
        JsonNode plugin = first.path("plugins").get(0);
        assertEquals("sample", plugin.path("package").asText());
        assertEquals("1.0.0", plugin.path("version").asText());
        assertEquals("READY", plugin.path("state").asText());
        assertEquals(0, plugin.path("restarts").asInt());
        long pid = plugin.path("pid").asLong();
        assertTrue(pid > 0, first.toString());
        assertEquals(0, first.path("runsInFlight").asInt());
        assertEquals(0, first.path("spoolDepth").asInt());
        assertTrue(first.path("lastError").isNull(), first.toString());
        assertFalse(first.toString().contains("plugin-secret-value"), "a plugin's configuration reached the heartbeat");
        assertFalse(first.toString().contains(nats.url()), "the NATS URL reached the heartbeat");

        // the plugin dies; the next call (an ad-hoc run) starts it again, and the status counts the restart
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        a.awaitLog("plugin exited unexpectedly", TIMEOUT);
        ResultQueue results = ResultQueue.subscribe(client);
        String plan = "{\"id\":\"adhoc\",\"tasks\":[{\"id\":\"t1\",\"schedule\":\"" + NEVER + "\",\"activities\":[{\"id\":\"a1\","
                + "\"provider\":{\"name\":\"busy\",\"package\":\"sample\",\"version\":\"1.0.0\"}}]}]}";
        Message accepted = client.request("runtime.assessment.request", plan.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(accepted, "no answer to the ad-hoc request");
        assertTrue(JSON.readTree(accepted.getData()).path("accepted").asBoolean(), new String(accepted.getData(), StandardCharsets.UTF_8));
        results.await(r -> r.path("planId").asText().equals("adhoc"), TIMEOUT, () -> String.join("\n", a.stderr()));
        heartbeats.clear();
        assertTrue(Processes.eventually(TIMEOUT, () -> {
            try {
                JsonNode p = awaitHeartbeat("rt-a").path("plugins").get(0);
                return p.path("restarts").asInt() == 1 && p.path("state").asText().equals("READY") && p.path("pid").asLong() != pid;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }), "the restart is not in the heartbeat");
    }

    @Test
    void arStatusListsTheLiveRuntimesAndFlagsTheOneWithOtherJobs() throws Exception {
        runtime("rt-a", "heartbeatInterval: 0\n", BUSY);
        runtime("rt-b", "heartbeatInterval: 0\n", BUSY);

        Status agreeing = status("--json");
        assertEquals(0, agreeing.exitCode(), agreeing.stdout() + "\n" + agreeing.stderr());
        JsonNode doc = JSON.readTree(agreeing.stdout());
        assertEquals(2, doc.path("runtimes").size(), doc.toString());
        assertTrue(doc.path("jobSetsAgree").asBoolean());
        assertEquals(runtimeNode(doc, "rt-a").path("jobsDigest"), runtimeNode(doc, "rt-b").path("jobsDigest"));
        assertFalse(runtimeNode(doc, "rt-a").path("jobsDiffer").asBoolean());
        assertEquals("READY", runtimeNode(doc, "rt-b").path("plugins").get(0).path("state").asText());
        assertFalse(agreeing.stdout().contains("plugin-secret-value"), agreeing.stdout());

        // rt-c loads one more job, whose package is not installed: its job set differs and it logged an ERROR
        runtime("rt-c", "heartbeatInterval: 0\n", BUSY
                + "  - {name: other, package: absent, version: 1.0.0, schedule: \"" + NEVER + "\"}\n");
        Status table = status();
        assertEquals(1, table.exitCode(), table.stdout() + "\n" + table.stderr());
        List<String> lines = table.stdout().lines().toList();
        assertTrue(lines.get(0).startsWith("RUNTIME"), table.stdout());
        String rowA = lines.stream().filter(l -> l.startsWith("rt-a ")).findFirst().orElseThrow(() -> new AssertionError(table.stdout()));
        String rowC = lines.stream().filter(l -> l.startsWith("rt-c ")).findFirst().orElseThrow(() -> new AssertionError(table.stdout()));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("rt-b ")), table.stdout());
        assertTrue(rowC.contains("2 DIFFERS"), table.stdout());
        assertFalse(rowA.contains("DIFFERS"), table.stdout());
        assertTrue(rowA.contains("sample@1.0.0 READY"), table.stdout());
        assertTrue(table.stdout().contains("rt-c: extra plugin/other"), table.stdout());
        assertTrue(rowC.contains("absent"), "rt-c's last error names the missing package: " + table.stdout());

        Status json = status("--json");
        assertEquals(1, json.exitCode());
        JsonNode all = JSON.readTree(json.stdout());
        assertEquals(3, all.path("runtimes").size(), all.toString());
        assertFalse(all.path("jobSetsAgree").asBoolean());
        assertTrue(runtimeNode(all, "rt-c").path("jobsDiffer").asBoolean());
        assertFalse(runtimeNode(all, "rt-b").path("jobsDiffer").asBoolean());
        assertTrue(runtimeNode(all, "rt-c").path("lastError").path("message").asText().contains("absent"), all.toString());
    }

    @Test
    void noRuntimeAnsweringIsExitCodeOne() throws Exception {
        Status none = status();
        assertEquals(1, none.exitCode());
        assertTrue(none.stderr().contains("no runtime answered on runtime.status"), none.stderr());
    }
}
