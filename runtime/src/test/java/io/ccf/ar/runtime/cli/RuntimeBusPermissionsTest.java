package io.ccf.ar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

import io.ccf.ar.runtime.fleet.FleetQuery;
import io.ccf.ar.runtime.fleet.RuntimeStatus;
import io.ccf.ar.runtime.fleet.StatusCodec;
import io.ccf.ar.runtime.plugin.TestPackages;
import io.ccf.ar.runtime.testing.CliProcess;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.ccf.ar.runtime.testing.ResultQueue;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;

/**
 * The users and permissions of docker/nats-server.conf, on a real nats-server, with a real daemon: the runtime's
 * permissions are enough to run its jobs on the shared schedule and publish results (the server logs no violation
 * for it), the reader reads results but cannot change plans, the control plane can, both see the fleet (status
 * answers and heartbeats, which carry no secret), and an anonymous client cannot connect.
 */
class RuntimeBusPermissionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path ROOT = Path.of(System.getProperty("ar.repoRoot", "..")).toAbsolutePath().normalize();
    private static final Map<String, String> PASSWORDS = Map.of("AR_NATS_RUNTIME_PASSWORD", "rt-secret",
            "AR_NATS_CONTROL_PLANE_PASSWORD", "cp-secret", "AR_NATS_READER_PASSWORD", "rd-secret");

    @TempDir
    Path dir;
    private NatsServerFixture nats;
    private CliProcess daemon;
    private Connection reader;
    private Connection controlPlane;
    private final BlockingQueue<String> readerViolations = new LinkedBlockingQueue<>();

    /** The authorization block shipped in docker/nats-server.conf, between its markers. */
    static String shippedAuthorization() throws Exception {
        String conf = Files.readString(ROOT.resolve("docker/nats-server.conf"));
        int begin = conf.indexOf("# --- ar authorization begin");
        int end = conf.indexOf("# --- ar authorization end");
        assertTrue(begin >= 0 && end > begin, "markers missing in docker/nats-server.conf");
        return conf.substring(begin, end);
    }

    private String url(String user, String password) {
        return "nats://" + user + ":" + password + "@127.0.0.1:" + nats.port();
    }

    @BeforeEach
    void setUp() throws Exception {
        nats = NatsServerFixture.start(Files.createDirectories(dir.resolve("nats")), shippedAuthorization(), PASSWORDS);
        new TestPackages(dir.resolve("plugins")).jar("sample", "1.0.0", TestPackages.sampleJar());
        // each user with the inbox prefix the shipped block allows it (and no other user)
        reader = Nats.connect(new Options.Builder().server(url("reader", "rd-secret")).inboxPrefix("_INBOX_reader")
                .errorListener(new ErrorListener() {
                    @Override
                    public void errorOccurred(Connection conn, String error) {
                        if (error.contains("Permissions Violation")) {
                            readerViolations.add(error);
                        }
                    }
                }).build());
        controlPlane = Nats.connect(new Options.Builder().server(url("control-plane", "cp-secret"))
                .inboxPrefix("_INBOX_control_plane").build());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        reader.close();
        controlPlane.close();
        nats.close();
    }

    private static String[] concat(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static String event(String id) {
        return "{\"type\":\"activated\",\"data\":{\"id\":\"" + id + "\",\"tasks\":[{\"id\":\"t1\",\"schedule\":\"0 0 1 1 *\","
                + "\"activities\":[{\"id\":\"a1\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\",\"version\":\"1.0.0\"}}]}]}}";
    }

    @Test
    void eachRoleGetsExactlyWhatItNeeds() throws Exception {
        assertThrows(Exception.class, () -> Nats.connect(new Options.Builder().server(nats.url())
                .maxReconnects(0).connectionTimeout(Duration.ofSeconds(5)).build()), "an anonymous client connects");

        ResultQueue results = ResultQueue.subscribe(reader); // core subscription on job.result, as the reader
        Files.createDirectories(dir.resolve("assessments"));
        Files.writeString(dir.resolve("config.yml"), "runtimeId: rt-perm\n"
                + "eventBusURL: " + url("runtime", "rt-secret") + "\n"
                + "pluginsDir: " + dir.resolve("plugins") + "\n"
                + "execution:\n  gracePeriod: 2s\n"
                + "nats:\n  ackWait: 2s\n  misfireDeadline: 30s\n  inboxPrefix: _INBOX_runtime\n"
                + "heartbeatInterval: 500ms\n"
                + "plugins:\n  - {name: busy, package: sample, version: 1.0.0, schedule: \"* * * * * *\","
                + " configuration: {apiKey: plugin-secret-value}}\n");
        BlockingQueue<String> heartbeats = new LinkedBlockingQueue<>();
        reader.createDispatcher(m -> heartbeats.add(new String(m.getData(), StandardCharsets.UTF_8))).subscribe("runtime.heartbeat.>");
        reader.flush(Duration.ofSeconds(5));
        daemon = CliProcess.start(dir, "--config", "config.yml");
        daemon.awaitLog("answering status requests", TIMEOUT);

        // the fleet view: the reader and the control plane ask runtime.status and get the runtime's answer; the
        // reader hears its heartbeats; neither carries the runtime's NATS password or a plugin's configuration
        String heartbeat = heartbeats.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(heartbeat, "no heartbeat reached the reader");
        for (Connection asker : List.of(reader, controlPlane)) {
            List<RuntimeStatus> fleet = new FleetQuery(asker).ask(Duration.ofSeconds(2)).runtimes();
            assertEquals(List.of("rt-perm"), fleet.stream().map(RuntimeStatus::runtimeId).toList());
            String answer = new String(new StatusCodec().encode(fleet.get(0)), StandardCharsets.UTF_8);
            for (String document : List.of(answer, heartbeat)) {
                assertTrue(document.contains("\"runtimeId\":\"rt-perm\""), document);
                assertFalse(document.contains("rt-secret") || document.contains("plugin-secret-value")
                        || document.contains("apiKey"), "a secret in the status: " + document);
            }
        }

        // ar status as the reader: answered on its own inboxes; left on _INBOX, it hears nothing
        Files.writeString(dir.resolve("reader.pw"), "rd-secret");
        String[] asReader = {"status", "--nats", "nats://127.0.0.1:" + nats.port(), "--nats-user", "reader",
                "--nats-password-file", "reader.pw", "--wait", "2s"};
        CliProcess status = CliProcess.start(dir, concat(asReader, "--nats-inbox-prefix", "_INBOX_reader"));
        assertEquals(0, status.waitFor(TIMEOUT), String.join("\n", status.stderr()));
        assertTrue(String.join("\n", status.stdout()).contains("rt-perm"), String.join("\n", status.stdout()));
        CliProcess defaultInbox = CliProcess.start(dir, asReader);
        assertEquals(1, defaultInbox.waitFor(TIMEOUT), "no runtime answered: " + String.join("\n", defaultInbox.stdout()));
        readerViolations.clear();

        // the runtime's permissions suffice: a scheduled fire runs through the shared schedule and its result is stored
        JsonNode result = results.await(r -> r.path("jobId").asText().equals("plugin/busy") && r.has("fireId"), TIMEOUT,
                () -> String.join("\n", daemon.stderr()));
        assertEquals("rt-perm", result.path("runtimeId").asText());
        JetStreamManagement jsm = reader.jetStreamManagement();
        assertTrue(jsm.getStreamInfo("AR_RESULTS").getStreamState().getMsgCount() >= 1, "AR_RESULTS holds the result");
        MessageInfo stored = jsm.getMessage("AR_RESULTS", 1);
        assertEquals("job.result", stored.getSubject());
        assertTrue(new String(stored.getData(), StandardCharsets.UTF_8).contains("\"runtimeId\":\"rt-perm\""));

        // the reader cannot change the plans: the server refuses the publish, the daemon never sees it
        reader.publish("runtime.configuration", event("p-reader").getBytes(StandardCharsets.UTF_8));
        reader.flush(Duration.ofSeconds(5));
        String violation = readerViolations.poll(30, TimeUnit.SECONDS);
        assertNotNull(violation, "the reader's publish on runtime.configuration was not refused");
        assertTrue(violation.contains("runtime.configuration"), violation);

        // nor read the replies meant for the runtime (JetStream API answers, pulled triggers) or the control plane
        for (String others : List.of("_INBOX_runtime.>", "_INBOX_control_plane.>", "_INBOX.>")) {
            reader.subscribe(others);
            reader.flush(Duration.ofSeconds(5));
            String refused = readerViolations.poll(30, TimeUnit.SECONDS);
            assertNotNull(refused, "the reader may subscribe to " + others);
            assertTrue(refused.contains("Subscription") && refused.contains(others), refused);
        }

        // the control plane can (and gets the runtime's answer through allow_responses)
        Message reply = controlPlane.request("runtime.configuration", event("p-control").getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(30));
        assertNotNull(reply, "the control plane gets no answer");
        assertEquals("{\"ok\":true}", new String(reply.getData(), StandardCharsets.UTF_8));
        Message adHoc = controlPlane.request("runtime.assessment.request",
                "{\"planId\":\"p-control\"}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
        assertNotNull(adHoc, "no answer to an ad-hoc request");
        assertTrue(JSON.readTree(adHoc.getData()).path("accepted").asBoolean(), new String(adHoc.getData(), StandardCharsets.UTF_8));
        results.await(r -> r.path("planId").asText().equals("p-control"), TIMEOUT, () -> String.join("\n", daemon.stderr()));

        assertTrue(Files.exists(dir.resolve("assessments/p-control.yaml")));
        assertFalse(Files.exists(dir.resolve("assessments/p-reader.yaml")), "the reader changed the plans");
        assertFalse(daemon.stderr().stream().anyMatch(l -> l.contains("p-reader")), "the daemon saw the reader's event");

        List<String> violations = nats.logLines().stream().filter(l -> l.contains("Violation")).toList();
        // the reader's refusals are the only violations: none for the runtime or the control plane
        assertFalse(violations.isEmpty(), nats.logTail());
        assertTrue(violations.stream().allMatch(l -> l.contains("User \"reader\"")),
                "a permission is missing:\n" + String.join("\n", violations));
        assertTrue(daemon.stderr().stream().noneMatch(l -> l.contains("cannot set up the JetStream schedule")
                || l.contains("Permissions Violation")), String.join("\n", daemon.stderr()));
    }
}
