package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

/** {@code ar publish-plan} with the --nats-* options against a real nats-server that wants a user and password. */
class NatsCliAuthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PASSWORD = "cli-s3cret-pw";

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private Connection controlPlane;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")),
                "authorization { user: ar, password: " + PASSWORD + " }");
        controlPlane = Nats.connect(new Options.Builder().server(nats.url()).userInfo("ar", PASSWORD).build());
        // stands in for a runtime: answers every plan event
        controlPlane.createDispatcher(m -> {
            events.add(new String(m.getData(), StandardCharsets.UTF_8));
            controlPlane.publish(m.getReplyTo(), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
        }).subscribe("runtime.configuration");
        controlPlane.flush(Duration.ofSeconds(5));
        Files.writeString(dir.resolve("plan.yaml"), """
                id: p1
                title: P
                tasks:
                  - id: t1
                    title: T
                    schedule: "0 0 * * * *"
                    activities:
                      - id: a1
                        title: A
                        provider: {name: busy, package: sample, version: 1.0.0}
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        controlPlane.close();
        nats.close();
    }

    @Test
    void publishPlanLogsInWithTheUserAndPasswordFileAndNeverPrintsThePassword() throws Exception {
        Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
        try (CliProcess ar = CliProcess.start(dir, "publish-plan", "plan.yaml", "--nats", nats.url(),
                "--nats-user", "ar", "--nats-password-file", "pw")) {
            assertEquals(0, ar.waitFor(TIMEOUT), String.join("\n", ar.stderr()));
            assertEquals("{\"ok\":true}", String.join("\n", ar.stdout()).strip());
        }
        String event = events.poll(10, TimeUnit.SECONDS);
        assertTrue(event != null && event.contains("\"type\":\"activated\"") && event.contains("\"p1\""), event);

        Files.writeString(dir.resolve("wrong"), "not-the-password\n");
        try (CliProcess ar = CliProcess.start(dir, "publish-plan", "plan.yaml", "--nats", nats.url(),
                "--nats-user", "ar", "--nats-password-file", "wrong")) {
            assertNotEquals(0, ar.waitFor(TIMEOUT), "refused: " + ar.stderr());
            String all = String.join("\n", ar.stdout()) + String.join("\n", ar.stderr());
            assertTrue(all.contains("Authorization Violation") || all.toLowerCase().contains("refused"), all);
            assertTrue(!all.contains(PASSWORD) && !all.contains("not-the-password"), "no secret printed: " + all);
        }
        assertEquals(null, events.poll(1, TimeUnit.SECONDS), "nothing published with the wrong password");
    }
}
