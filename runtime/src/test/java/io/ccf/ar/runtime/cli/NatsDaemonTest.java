package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/** The daemon with a real nats-server: plan events, ad-hoc requests, several runtimes sharing one schedule. */
class NatsDaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private Connection client;
    private ResultQueue results;
    private final List<CliProcess> runtimes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        client = Nats.connect(nats.url());
        results = ResultQueue.subscribe(client);
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.forEach(CliProcess::close);
        client.close();
        nats.close();
    }

    /** A runtime with its own config dir (own plans and spool), sharing the plugins dir and NATS. */
    private CliProcess runtime(String id, String plugins) throws Exception {
        Path home = Files.createDirectories(dir.resolve(id));
        Files.createDirectories(home.resolve("assessments"));
        Files.writeString(home.resolve("config.yml"), "runtimeId: " + id + "\n"
                + "eventBusURL: " + nats.url() + "\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "execution:\n  gracePeriod: 5s\n"
                + "nats:\n  ackWait: 2s\n  misfireDeadline: 30s\n"
                + "plans:\n  allowedPackages: [sample]\n" // events name it; no plugin configures it
                + (plugins.isEmpty() ? "" : "plugins:\n" + plugins));
        CliProcess ar = CliProcess.start(home, "--config", "config.yml");
        runtimes.add(ar);
        ar.awaitLog("listening for plan events", TIMEOUT);
        return ar;
    }

    private static String plan(String id, String schedule, String region) {
        return "{\"id\":\"" + id + "\",\"title\":\"T\",\"assessment-plan-id\":\"ap\",\"component-id\":\"c\",\"control-id\":\"ac-1\","
                + "\"tasks\":[{\"id\":\"t1\",\"title\":\"Task\",\"schedule\":\"" + schedule + "\",\"activities\":[{\"id\":\"a1\","
                + "\"title\":\"A\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\",\"version\":\"1.0.0\","
                + "\"configuration\":{\"region\":\"" + region + "\"}}}]}]}";
    }

    private String request(String subject, String body) throws Exception {
        Message reply = client.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(reply, "no reply on " + subject);
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    private JsonNode awaitResult(Predicate<JsonNode> match) throws InterruptedException {
        return results.await(match, TIMEOUT, () -> "");
    }

    private static String region(JsonNode result) {
        for (JsonNode p : result.path("observations").get(0).path("Props")) {
            if (p.path("Name").asText().equals("region")) {
                return p.path("Value").asText();
            }
        }
        return null;
    }

    @Test
    void planEventsScheduleUpdateAndUnscheduleLive() throws Exception {
        CliProcess ar = runtime("rt-a", "");
        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"activated\",\"data\":" + plan("p1", "* * * * * *", "eu") + "}"));
        JsonNode first = awaitResult(r -> r.path("planId").asText().equals("p1"));
        assertEquals("eu", region(first));
        assertEquals("rt-a", first.path("runtimeId").asText());
        assertTrue(first.has("scheduledAt"), first.toString());
        assertTrue(Files.exists(dir.resolve("rt-a/assessments/p1.yaml")), "the plan is written to assessmentsDir");

        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"updated\",\"data\":" + plan("p1", "* * * * * *", "us") + "}"));
        awaitResult(r -> "us".equals(region(r)));

        assertEquals("{\"ok\":true}", request("runtime.configuration", "{\"type\":\"deleted\",\"data\":{\"id\":\"p1\"}}"));
        assertFalse(Files.exists(dir.resolve("rt-a/assessments/p1.yaml")));
        Instant deleted = Instant.now().plusSeconds(2); // a run already in flight may still report
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode r = results.poll(500, TimeUnit.MILLISECONDS);
            if (r != null) {
                assertFalse(Instant.parse(r.path("scheduledAt").asText()).isAfter(deleted),
                        "a deleted plan keeps firing: " + r);
            }
        }
        // a malformed event is refused with a reason and the runtime goes on
        String refused = request("runtime.configuration", "not json");
        assertTrue(refused.contains("\"ok\":false"), refused);
        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"activated\",\"data\":" + plan("p2", "* * * * * *", "ap") + "}"));
        awaitResult(r -> r.path("planId").asText().equals("p2"));
        assertTrue(ar.process().isAlive());
    }

    @Test
    void assessmentRequestRunsNowAndRepliesWithTheRunId() throws Exception {
        runtime("rt-a", "");
        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"activated\",\"data\":" + plan("p1", "0 0 0 1 1 *", "eu") + "}"));
        JsonNode reply = JSON.readTree(request("runtime.assessment.request", "{\"planId\":\"p1\"}"));
        assertTrue(reply.path("accepted").asBoolean(), reply.toString());
        String runId = reply.path("runId").asText();
        Set<String> subjects = new HashSet<>();
        while (subjects.size() < 3) {
            JsonNode r = awaitResult(x -> x.path("runId").asText().equals(runId));
            assertEquals("SUCCESS", r.path("status").asText());
            subjects.add(r.path("subjects").path("Id").asText());
        }
        JsonNode unknown = JSON.readTree(request("runtime.assessment.request", "{\"planId\":\"nope\"}"));
        assertFalse(unknown.path("accepted").asBoolean());
        assertTrue(unknown.path("error").asText().contains("unknown plan \"nope\""), unknown.toString());
    }

    @Test
    void twoRuntimesRunEachFireExactlyOnce() throws Exception {
        long seconds = Long.getLong("ar.test.shareSeconds", 120);
        String job = "  - name: busy\n    package: sample\n    version: 1.0.0\n    schedule: \"* * * * * *\"\n";
        runtime("rt-a", job);
        runtime("rt-b", job);
        Instant from = Instant.now().plusSeconds(3);
        Instant to = from.plusSeconds(seconds);
        Map<String, Set<String>> runsByFire = new HashMap<>();
        Map<String, Integer> resultsByFire = new HashMap<>();
        Set<String> runtimesSeen = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds + 40).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode r = results.poll(1, TimeUnit.SECONDS);
            if (r == null) {
                if (Instant.now().isAfter(to.plusSeconds(10))) {
                    break;
                }
                continue;
            }
            Instant fire = Instant.parse(r.path("scheduledAt").asText());
            if (fire.isBefore(from) || fire.isAfter(to)) {
                continue;
            }
            runsByFire.computeIfAbsent(fire.toString(), k -> new HashSet<>()).add(r.path("runId").asText());
            resultsByFire.merge(fire.toString(), 1, Integer::sum);
            runtimesSeen.add(r.path("runtimeId").asText());
        }
        runsByFire.forEach((fire, runs) -> assertEquals(1, runs.size(), "fire " + fire + " ran " + runs.size() + " times"));
        resultsByFire.forEach((fire, n) -> assertEquals(3, n, "fire " + fire + " has " + n + " results, not 3"));
        assertTrue(runsByFire.size() >= seconds - 2, "only " + runsByFire.size() + " fires of ~" + seconds + " ran");
        System.out.println("shared schedule: " + runsByFire.size() + " fires over " + seconds + " s, runtimes " + runtimesSeen);
    }

    @Test
    void aRunOnAKilledRuntimeIsRedeliveredToAnother() throws Exception {
        String job = "  - name: slow\n    package: sample\n    version: 1.0.0\n    schedule: \"*/15 * * * * *\"\n"
                + "    configuration:\n      sleep_ms: \"4000\"\n";
        CliProcess a = runtime("rt-a", job);
        CliProcess b = runtime("rt-b", job);
        CliProcess victim = null;
        CliProcess survivor = null;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (victim == null && System.nanoTime() < deadline) {
            if (a.pollLog("run started", Duration.ofMillis(200)).isPresent()) {
                victim = a;
                survivor = b;
            } else if (b.pollLog("run started", Duration.ofMillis(200)).isPresent()) {
                victim = b;
                survivor = a;
            }
        }
        assertNotNull(victim, "no run started");
        victim.process().toHandle().destroyForcibly(); // SIGKILL mid-run: no ack, no heartbeat
        String victimId = victim == a ? "rt-a" : "rt-b";
        String survivorId = victim == a ? "rt-b" : "rt-a";
        Optional<String> redelivered = survivor.pollLog("run started", Duration.ofSeconds(14));
        assertTrue(redelivered.isPresent(), "the trigger was not redelivered to " + survivorId);
        JsonNode r = awaitResult(x -> x.path("runtimeId").asText().equals(survivorId));
        assertEquals("SUCCESS", r.path("status").asText());
        assertFalse(results.stream().anyMatch(x -> x.path("runtimeId").asText().equals(victimId)
                && x.path("scheduledAt").asText().equals(r.path("scheduledAt").asText())), "the killed runtime reported a result");
    }
}
