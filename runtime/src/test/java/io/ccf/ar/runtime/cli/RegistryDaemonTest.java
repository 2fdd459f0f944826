package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.RegistryIndex;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.Processes;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/**
 * A running daemon told by plan events to use package versions it does not have: it downloads and runs them,
 * and stops the plugins of versions no plan uses any more.
 */
class RegistryDaemonTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private TestRegistryServer registry;
    private Connection client;
    private CliProcess daemon;
    private ResultQueue results;

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        registry = new TestRegistryServer(Files.createDirectories(dir.resolve("registry")));
        byte[] jar = Files.readAllBytes(TestPackages.sampleJar());
        RegistryIndex index = new RegistryIndex("sample", List.of());
        for (String v : List.of("2.0.0", "2.4.0", "3.0.0")) {
            registry.publish("sample", v, "sample.jar", jar);
            index = index.with(new RegistryIndex.Version(v, "sample.jar", TestRegistryServer.sha256Hex(jar), (long) jar.length, null));
        }
        Files.write(registry.root.resolve("sample/index.json"), index.toJson());

        client = Nats.connect(nats.url());
        results = ResultQueue.subscribe(client);

        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("config.yml"), "runtimeId: rt-reg\neventBusURL: " + nats.url()
                + "\npluginRegistryURL: " + registry.uri() + "\nexecution:\n  gracePeriod: 5s\n"
                + "plans:\n  allowedPackages: [sample]\n"); // events bring it from the registry
        daemon = CliProcess.start(dir, "--config", "config.yml");
        daemon.awaitLog("listening for plan events", TIMEOUT);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        client.close();
        registry.close();
        nats.close();
    }

    private static String plan(String id, String version) {
        return "{\"id\":\"" + id + "\",\"title\":\"T\",\"tasks\":[{\"id\":\"t1\",\"title\":\"Task\",\"schedule\":\"* * * * * *\","
                + "\"activities\":[{\"id\":\"a1\",\"title\":\"A\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                + "\"version\":\"" + version + "\"}}]}]}";
    }

    private String activate(String plan) throws Exception {
        return request("runtime.configuration", "{\"type\":\"activated\",\"data\":" + plan + "}");
    }

    private String request(String subject, String body) throws Exception {
        Message reply = client.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(reply, "no reply on " + subject);
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    private JsonNode awaitResult(Predicate<JsonNode> match) throws InterruptedException {
        return results.await(match, TIMEOUT, () -> "; daemon log:\n" + String.join("\n", daemon.stderr()));
    }

    @Test
    void aPlanEventNamingANewVersionRangeDownloadsItAndRunsWithoutARestart() throws Exception {
        assertFalse(Files.exists(dir.resolve("plugins/sample")), "nothing installed before the event");
        assertEquals("{\"ok\":true}", activate(plan("p1", "^2.0")));

        JsonNode result = awaitResult(r -> r.path("planId").asText().equals("p1"));
        assertEquals("2.4.0", result.path("version").asText(), "the highest 2.x in the index ran: " + result);
        assertEquals("SUCCESS", result.path("status").asText(), result.toString());
        assertTrue(Files.isRegularFile(dir.resolve("plugins/sample/2.4.0/sample.jar")));
        assertTrue(Files.readString(dir.resolve("plugins/plugins.lock")).contains("\"2.4.0\""));
        assertEquals(1, registry.hits("/sample/2.4.0/sample.jar"), "downloaded once");
        assertTrue(daemon.isAlive(), "no restart");

        // a version nobody publishes: the event is stored, and its runs say why nothing could be installed
        assertEquals("{\"ok\":true}", activate(plan("p2", "^9")));
        JsonNode failed = awaitResult(r -> r.path("planId").asText().equals("p2"));
        assertTrue(failed.toString().contains("sample@^9 is not installed"), failed.toString());
        assertTrue(String.join("\n", daemon.stderr()).contains("no version of package sample matches \"^9\""),
                "the log says why");
        awaitResult(r -> r.path("planId").asText().equals("p1")); // p1 keeps running
    }

    @Test
    void aVersionNoPlanUsesAnyMoreHasItsPluginStopped() throws Exception {
        assertEquals("{\"ok\":true}", activate(plan("p1", "^2.0")));
        awaitResult(r -> r.path("version").asText().equals("2.4.0"));
        String v240 = dir.resolve("plugins/sample/2.4.0").toString();
        assertFalse(Processes.liveWithCommandLineContaining(v240).isEmpty(), "2.4.0 runs");

        // the plan moves to an exact older version: it is fetched and run, and 2.4.0's process goes away
        assertEquals("{\"ok\":true}", request("runtime.configuration",
                "{\"type\":\"updated\",\"data\":" + plan("p1", "2.0.0") + "}"));
        awaitResult(r -> r.path("version").asText().equals("2.0.0"));
        assertTrue(Processes.eventually(TIMEOUT, () -> Processes.liveWithCommandLineContaining(v240).isEmpty()),
                "the 2.4.0 plugin is stopped once no plan uses it");
        assertTrue(String.join("\n", daemon.stderr()).contains("no job uses this package version any more"));
        assertFalse(Processes.liveWithCommandLineContaining(dir.resolve("plugins/sample/2.0.0").toString()).isEmpty(),
                "2.0.0 keeps running");

        // deleting the plan stops the last one too
        assertEquals("{\"ok\":true}", request("runtime.configuration", "{\"type\":\"deleted\",\"data\":{\"id\":\"p1\"}}"));
        assertTrue(Processes.eventually(TIMEOUT, () -> Processes.liveWithCommandLineContaining(
                dir.resolve("plugins/sample/").toString()).isEmpty()), "no plugin left once no plan needs one");
        assertTrue(daemon.isAlive());
    }
}
