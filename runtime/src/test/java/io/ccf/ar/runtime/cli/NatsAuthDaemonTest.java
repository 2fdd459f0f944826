package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;

/**
 * The daemon as a process against a nats-server that requires a user and password: a password in the URL never
 * reaches the log, and a wrong password is one clear ERROR while the daemon keeps running and spools its results,
 * which reach the stream once it has the right password.
 */
class NatsAuthDaemonTest {
    private static final String PASSWORD = "url-Secret-9f8e7d";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String JOB = "  - name: busy\n    package: sample\n    version: 1.0.0\n    schedule: \"* * * * * *\"\n";

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private Connection client;
    private ResultQueue results;
    private final List<CliProcess> runtimes = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")),
                "authorization { user: ar, password: \"" + PASSWORD + "\" }");
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        client = Nats.connect(new Options.Builder().server(nats.url()).userInfo("ar", PASSWORD).build());
        results = ResultQueue.subscribe(client);
    }

    @AfterEach
    void tearDown() throws Exception {
        runtimes.forEach(CliProcess::close);
        client.close();
        nats.close();
    }

    private CliProcess runtime(Path home, String url, String natsSettings) throws Exception {
        Files.createDirectories(home.resolve("assessments"));
        Files.writeString(home.resolve("config.yml"), "runtimeId: rt-auth\n"
                + "eventBusURL: " + url + "\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "execution:\n  gracePeriod: 5s\n"
                + "nats:\n  startWait: 2s\n" + natsSettings
                + "plugins:\n" + JOB);
        CliProcess ar = CliProcess.start(home, "--config", "config.yml");
        runtimes.add(ar);
        return ar;
    }

    private static String everything(CliProcess ar) {
        return String.join("\n", ar.stderr()) + "\n" + String.join("\n", ar.stdout());
    }

    @Test
    void aPasswordInTheUrlNeverReachesTheLog() throws Exception {
        String url = nats.url().replace("nats://", "nats://ar:" + PASSWORD + "@");
        CliProcess ar = runtime(dir.resolve("rt"), url, "");
        ar.awaitLog("listening for plan events", TIMEOUT);
        results.await(r -> r.path("runtimeId").asText().equals("rt-auth"), TIMEOUT, () -> "");
        // a NATS outage and return: the disconnect, reconnect and error lines name the URL too
        nats.stop();
        ar.awaitLog("NATS disconnected from", TIMEOUT);
        nats.startProcess();
        ar.awaitLog("NATS reconnected to", TIMEOUT);
        ar.close();
        String log = everything(ar);
        assertTrue(log.contains("nats://***@127.0.0.1:" + nats.port()), log);
        assertFalse(log.contains(PASSWORD), "the password is in the daemon's output:\n" + log);
    }

    @Test
    void aWrongPasswordIsOneErrorTheDaemonKeepsRunningAndNothingIsLost() throws Exception {
        Path home = dir.resolve("rt");
        Path pw = Files.writeString(Files.createDirectories(home).resolve("nats.pw"), "wrong-" + PASSWORD + "\n");
        String settings = "  user: ar\n  passwordFile: nats.pw\n";
        CliProcess ar = runtime(home, nats.url(), settings);
        ar.awaitLog("NATS at " + nats.url() + " refused the credentials of nats.user \"ar\" with nats.passwordFile ("
                + pw + ") (Authorization Violation)", TIMEOUT);
        ar.awaitLog("results wait in the spool", TIMEOUT);
        Path spool = home.resolve("spool");
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (spooledBytes(spool) == 0) {
            assertTrue(System.nanoTime() < deadline, "no result reached the spool");
            ar.pollLog("plugin/busy", Duration.ofMillis(500)); // wait for the next run's log line
        }
        assertTrue(ar.isAlive(), "the daemon keeps running");
        ar.close();
        String log = everything(ar);
        assertFalse(log.contains(PASSWORD), log);

        // the operator fixes the password; the spooled results reach NATS (the restart drains the spool)
        Files.writeString(pw, PASSWORD + "\n");
        CliProcess fixed = CliProcess.start(home, "--config", "config.yml");
        runtimes.add(fixed);
        fixed.awaitLog("listening for plan events", TIMEOUT);
        results.await(r -> r.path("runtimeId").asText().equals("rt-auth"), TIMEOUT, () -> "");
        deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (spooledBytes(spool) > 0) {
            assertTrue(System.nanoTime() < deadline, "the spool did not drain");
            results.poll(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private static long spooledBytes(Path spool) throws IOException {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".seg")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }
}
