package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/** A runtime started while NATS is down joins the shared schedule and listens for plan events once NATS comes. */
class NatsLateStartTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private CliProcess daemon;
    private Connection client;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (client != null) {
            client.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    @Test
    void aRuntimeStartedDuringAnOutageJoinsWhenNatsComes() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        nats.stop(); // the port is known, nothing listens on it
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("config.yml"), "runtimeId: late\neventBusURL: " + nats.url()
                + "\nexecution:\n  gracePeriod: 5s\nnats:\n  startWait: 500ms\nplans:\n  allowedPackages: [sample]\n");
        daemon = CliProcess.start(dir, "--config", "config.yml");
        daemon.awaitLog("schedules on its own until NATS answers", TIMEOUT);

        nats.startProcess();
        daemon.awaitLog("listening for plan events", TIMEOUT); // as soon as NATS answers
        daemon.awaitLog("now takes its runs from the shared schedule", TIMEOUT); // once JetStream is set up

        client = Nats.connect(nats.url());
        ResultQueue results = ResultQueue.subscribe(client);
        String plan = "{\"id\":\"p1\",\"title\":\"T\",\"tasks\":[{\"id\":\"t1\",\"title\":\"Task\",\"schedule\":\"* * * * * *\","
                + "\"activities\":[{\"id\":\"a1\",\"title\":\"A\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                + "\"version\":\"1.0.0\"}}]}]}";
        Message reply = client.request("runtime.configuration",
                ("{\"type\":\"activated\",\"data\":" + plan + "}").getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(reply, "the late runtime answers plan events");
        assertEquals("{\"ok\":true}", new String(reply.getData(), StandardCharsets.UTF_8));
        JsonNode result = results.await(r -> r.path("planId").asText().equals("p1"), TIMEOUT,
                () -> "; daemon log:\n" + String.join("\n", daemon.stderr()));
        assertEquals("late", result.path("runtimeId").asText());
        // the fires went through the shared JetStream schedule (its consumer delivered them), not straight to the runner
        long delivered = client.jetStreamManagement().getConsumerInfo("AR_SCHEDULE", "ar-runtime")
                .getDelivered().getConsumerSequence();
        assertTrue(delivered > 0, "triggers delivered by the shared consumer: " + delivered);
    }
}
