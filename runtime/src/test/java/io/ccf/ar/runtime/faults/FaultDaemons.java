package io.ccf.ar.runtime.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;

/**
 * A real nats-server, the sample plugin installed, and {@code ar daemon} processes started against them;
 * closes everything it started. Shared by the fault scenarios on config, plans and plan events.
 */
final class FaultDaemons implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(60);
    /** A configured plugin job that runs every second: proof that the runtime keeps scheduling. */
    static final String BUSY_PLUGIN = "plugins:\n  - name: busy\n    package: sample\n    version: 1.0.0\n"
            + "    schedule: \"* * * * * *\"\n";

    final Path dir;
    final Path pluginsDir;
    private NatsServerFixture nats;
    Connection client;
    ResultQueue results;
    private final List<CliProcess> daemons = new ArrayList<>();

    FaultDaemons(Path dir) throws Exception {
        this.dir = dir;
        this.pluginsDir = dir.resolve("plugins");
        new TestPackages(pluginsDir).jar("sample", "1.0.0", TestPackages.sampleJar());
    }

    FaultDaemons withNats() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")));
        client = Nats.connect(nats.url());
        results = ResultQueue.subscribe(client);
        return this;
    }

    /** Writes {@code home}/config.yml (eventBusURL when NATS runs, the shared pluginsDir, then {@code extra}). */
    Path config(String home, String extra) throws Exception {
        Path homeDir = Files.createDirectories(dir.resolve(home));
        Files.createDirectories(homeDir.resolve("assessments"));
        return Files.writeString(homeDir.resolve("config.yml"), "runtimeId: " + home + "\n"
                + (nats == null ? "" : "eventBusURL: " + nats.url() + "\n")
                + "pluginsDir: " + pluginsDir + "\n"
                + "execution:\n  gracePeriod: 2s\n" + extra);
    }

    /** Starts {@code ar daemon} in {@code home} with a small heap, so unbounded memory use fails the scenario. */
    CliProcess start(String home, String maxHeap) throws Exception {
        CliProcess ar = CliProcess.startWithJvmOptions(dir.resolve(home), List.of("-Xmx" + maxHeap),
                "daemon", "--config", "config.yml");
        daemons.add(ar);
        return ar;
    }

    String request(String subject, String body) throws Exception {
        Message reply = client.request(subject, body.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        if (reply == null) {
            throw new AssertionError("no reply on " + subject + " to " + body);
        }
        return new String(reply.getData(), StandardCharsets.UTF_8);
    }

    static String plan(String id, String schedule, String region) {
        return "{\"id\":\"" + id + "\",\"title\":\"T\",\"tasks\":[{\"id\":\"t1\",\"schedule\":\"" + schedule
                + "\",\"activities\":[{\"id\":\"a1\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                + "\"version\":\"1.0.0\",\"configuration\":{\"region\":\"" + region + "\"}}}]}]}";
    }

    static String event(String type, String data) {
        return "{\"type\":\"" + type + "\",\"data\":" + data + "}";
    }

    @Override
    public void close() throws Exception {
        daemons.forEach(CliProcess::close);
        for (CliProcess d : daemons) {
            d.process().waitFor();
        }
        if (client != null) {
            client.close();
        }
        if (nats != null) {
            nats.close();
        }
    }
}
