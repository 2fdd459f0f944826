package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
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
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/** The {@code plans} section with a real nats-server and a real daemon: the allow-list and the switches. */
class BusPolicyDaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private Connection client;
    private CliProcess daemon;

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        client = Nats.connect(nats.url());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        client.close();
        nats.close();
    }

    private CliProcess start(String plans, String awaitLine) throws Exception {
        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("config.yml"), "runtimeId: rt-policy\n"
                + "eventBusURL: " + nats.url() + "\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "execution:\n  gracePeriod: 2s\n"
                + "plugins:\n  - {name: busy, package: sample, version: 1.0.0, schedule: \"0 0 1 1 *\"}\n"
                + plans);
        daemon = CliProcess.start(dir, "--config", "config.yml");
        daemon.awaitLog(awaitLine, TIMEOUT);
        return daemon;
    }

    private static String plan(String id, String packageName) {
        return "{\"id\":\"" + id + "\",\"tasks\":[{\"id\":\"t1\",\"schedule\":\"0 0 1 1 *\",\"activities\":[{\"id\":\"a1\","
                + "\"provider\":{\"name\":\"p\",\"package\":\"" + packageName + "\",\"version\":\"1.0.0\"}}]}]}";
    }

    private JsonNode request(String subject, String body) throws Exception {
        Message reply = client.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(reply, "no reply on " + subject);
        return JSON.readTree(reply.getData());
    }

    @Test
    void aPackageOutsideTheListIsRefusedForEventsAndRequests() throws Exception {
        start("plans:\n  allowedPackages: [\"acme-*\"]\n", "listening for plan events");
        assertTrue(daemon.stderr().stream().anyMatch(l -> l.contains("packages plan events and ad-hoc requests may name")
                && l.contains("[sample, acme-*]")), String.join("\n", daemon.stderr()));

        JsonNode refused = request("runtime.configuration", "{\"type\":\"activated\",\"data\":" + plan("p-evil", "evil") + "}");
        assertFalse(refused.path("ok").asBoolean(true), refused.toString());
        String error = refused.path("error").asText();
        assertTrue(error.contains("package \"evil\"") && error.contains("plans.allowedPackages") && error.contains("not stored"),
                error);
        assertFalse(Files.exists(dir.resolve("assessments/p-evil.yaml")), "a refused plan is not stored");
        String logged = daemon.awaitLog("plan event not applied", TIMEOUT);
        assertTrue(logged.contains("p-evil") && logged.contains("plans.allowedPackages"), logged);

        JsonNode adHoc = request("runtime.assessment.request", plan("adhoc-evil", "evil"));
        assertFalse(adHoc.path("accepted").asBoolean(true), adHoc.toString());
        String reason = adHoc.path("error").asText();
        assertTrue(reason.contains("package \"evil\"") && reason.contains("plans.allowedPackages")
                && reason.contains("ad-hoc request") && reason.contains("not run"), reason);
        assertTrue(daemon.awaitLog("run request rejected", TIMEOUT).contains("plans.allowedPackages"));

        // the configured plugins' packages are always allowed, and a pattern lets its names through to the next check
        JsonNode allowed = request("runtime.configuration", "{\"type\":\"activated\",\"data\":" + plan("p-ok", "sample") + "}");
        assertEquals("{\"ok\":true}", allowed.toString());
        assertTrue(Files.exists(dir.resolve("assessments/p-ok.yaml")));
        JsonNode pattern = request("runtime.configuration", "{\"type\":\"activated\",\"data\":" + plan("p-acme", "acme-x") + "}");
        assertFalse(pattern.path("error").asText().contains("plans.allowedPackages"), pattern.toString());
        assertTrue(daemon.isAlive());
    }

    @Test
    void withEventsOffNobodyAnswersOnRuntimeConfiguration() throws Exception {
        start("plans:\n  events: false\n", "answering run requests");
        String off = daemon.stderr().stream().filter(l -> l.contains("plan events are off")).findFirst().orElse(null);
        assertNotNull(off, String.join("\n", daemon.stderr()));
        assertTrue(off.contains("plans.events"), off);
        // requests are still answered: the daemon is on the bus
        JsonNode unknown = request("runtime.assessment.request", "{\"planId\":\"nope\"}");
        assertFalse(unknown.path("accepted").asBoolean(true), unknown.toString());

        Message reply;
        try {
            reply = client.requestWithTimeout("runtime.configuration", ("{\"type\":\"activated\",\"data\":"
                    + plan("p1", "sample") + "}").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3))
                    .get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | CancellationException e) {
            reply = null; // no responders (or the timeout): nobody subscribes
        }
        assertNull(reply, "nobody may answer on runtime.configuration with plans.events: false");
        assertFalse(Files.exists(dir.resolve("assessments/p1.yaml")));
        assertFalse(daemon.stderr().stream().anyMatch(l -> l.contains("listening for plan events")));
    }
}
