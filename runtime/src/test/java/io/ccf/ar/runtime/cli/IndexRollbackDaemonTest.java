package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.registry.IndexSignature;
import io.ccf.ar.runtime.registry.RegistryIndex;
import io.ccf.ar.runtime.registry.StaticRegistryTree;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.ccf.ar.runtime.testing.TestRegistryServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/**
 * A daemon with registry.trustedKeys whose registry starts replaying an older signed index: a plan naming a version
 * only that index lists is not installed and its runs say so (the log says why: rollback), while a range keeps
 * running the newer version already installed.
 */
class IndexRollbackDaemonTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private TestRegistryServer registry;
    private Connection client;
    private CliProcess daemon;
    private ResultQueue results;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (nats != null) {
            nats.close();
        }
    }

    private static String plan(String id, String version) {
        return "{\"id\":\"" + id + "\",\"title\":\"T\",\"tasks\":[{\"id\":\"t1\",\"title\":\"Task\",\"schedule\":\"* * * * * *\","
                + "\"activities\":[{\"id\":\"a1\",\"title\":\"A\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                + "\"version\":\"" + version + "\"}}]}]}";
    }

    private String activate(String plan) throws Exception {
        Message reply = client.request("runtime.configuration", ("{\"type\":\"activated\",\"data\":" + plan + "}")
                .getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(reply, "no reply on runtime.configuration");
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    private JsonNode awaitResult(Predicate<JsonNode> match) throws InterruptedException {
        return results.await(match, TIMEOUT, () -> "; daemon log:\n" + String.join("\n", daemon.stderr()));
    }

    @Test
    void aReplayedOlderIndexInstallsNothingAndTheRunSaysSo() throws Exception {
        KeyPair pair = IndexSignature.generate();
        Path pub = dir.resolve("registry-signing.pub");
        IndexSignature.writePublicKey(pub, pair.getPublic());
        Path tree = Files.createDirectories(dir.resolve("registry"));
        StaticRegistryTree publisher = new StaticRegistryTree(tree, pair.getPrivate());
        publisher.publish("sample", "1.0.0", TestPackages.sampleJar());
        publisher.publish("sample", "1.0.1", TestPackages.sampleJar());
        byte[] oldIndex = Files.readAllBytes(tree.resolve("sample/index.json"));
        byte[] oldSig = Files.readAllBytes(tree.resolve("sample/index.json.sig"));
        publisher.publish("sample", "1.1.0", TestPackages.sampleJar());
        long s1 = RegistryIndex.parse(oldIndex).serial();
        long s2 = RegistryIndex.parse(Files.readAllBytes(tree.resolve("sample/index.json"))).serial();

        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        registry = new TestRegistryServer(tree);
        client = Nats.connect(nats.url());
        results = ResultQueue.subscribe(client);
        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("config.yml"), "runtimeId: rt-rollback\neventBusURL: " + nats.url()
                + "\npluginRegistryURL: " + registry.uri() + "\nexecution:\n  gracePeriod: 5s\n"
                + "plans:\n  allowedPackages: [sample]\nregistry:\n  trustedKeys: [" + pub + "]\n");
        daemon = CliProcess.start(dir, "--config", "config.yml");
        daemon.awaitLog("listening for plan events", TIMEOUT);

        assertEquals("{\"ok\":true}", activate(plan("p1", "^1")));
        JsonNode newest = awaitResult(r -> r.path("planId").asText().equals("p1"));
        assertEquals("1.1.0", newest.path("version").asText(), newest.toString());
        assertTrue(Files.readString(dir.resolve("plugins/registry-state.json")).contains("\"sample\" : " + s2));

        // the registry (or a mirror, a proxy) goes back to the older, validly signed index
        Files.write(tree.resolve("sample/index.json"), oldIndex);
        Files.write(tree.resolve("sample/index.json.sig"), oldSig);
        assertEquals("{\"ok\":true}", activate(plan("p2", "1.0.1")));
        JsonNode refused = awaitResult(r -> r.path("planId").asText().equals("p2"));
        assertTrue(refused.toString().contains("sample@1.0.1 is not installed"), refused.toString());
        assertTrue(daemon.awaitLog("rollback?", TIMEOUT).contains("serial " + s1 + ", lower than serial " + s2),
                "the log says why");
        assertFalse(Files.exists(dir.resolve("plugins/sample/1.0.1")), "nothing installed from the old index");
        JsonNode still = awaitResult(r -> r.path("planId").asText().equals("p1"));
        assertEquals("1.1.0", still.path("version").asText(), "no downgrade: " + still);
        assertTrue(daemon.isAlive());
    }
}
