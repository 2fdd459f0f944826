package io.ccf.ar.runtime.plans;

import static io.ccf.ar.runtime.plans.RecordingRegistry.next;
import static io.ccf.ar.runtime.plans.TestPlans.document;
import static io.ccf.ar.runtime.plans.TestPlans.event;
import static io.ccf.ar.runtime.plans.TestPlans.full;
import static io.ccf.ar.runtime.plans.TestPlans.minimal;
import static io.ccf.ar.runtime.plans.TestPlans.parse;
import static io.ccf.ar.runtime.plans.TestPlans.withoutSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.ccf.ar.runtime.config.ConfigException;
import io.ccf.ar.runtime.config.ConfigProblem;
import io.ccf.ar.runtime.config.PlanDirectory;
import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.testing.NatsServerFixture;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;

class PlanEventListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path natsDir;
    static NatsServerFixture server;

    @TempDir
    Path plansDir;
    private final RecordingRegistry registry = new RecordingRegistry();
    private Connection runtimeSide;
    private Connection controlPlane;
    private Subscription deadLetters;
    private PlanEventListener listener;

    @BeforeAll
    static void startServer() {
        server = NatsServerFixture.start(natsDir);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void start() throws Exception {
        runtimeSide = Nats.connect(server.url());
        controlPlane = Nats.connect(server.url());
        deadLetters = controlPlane.subscribe(PlanEventListener.DEAD_LETTER_SUBJECT);
        controlPlane.flush(WAIT);
        listener = new PlanEventListener(runtimeSide, new PlanStore(plansDir), registry, "rt-test");
        listener.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        listener.close();
        runtimeSide.close();
        controlPlane.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"activated", "updated"})
    void aPlanIsStoredThenApplied(String type) throws Exception {
        assertEquals(Map.of("ok", true), request(event(type, document(full("p1")))));

        PlanSpec applied = next(registry.applied, WAIT);
        Path file = plansDir.resolve("p1.yaml");
        assertEquals(file.toString(), applied.source(), "the registry gets the plan as a restart would load it");
        assertEquals(withoutSource(full("p1")), withoutSource(applied));
        assertEquals(List.of(applied), PlanDirectory.load(plansDir).plans());
    }

    @Test
    void anUpdateRewritesTheFileThePlanAlreadyLivesIn() throws Exception {
        Path handWritten = Files.writeString(plansDir.resolve("inventory.yml"), "id: p1\ntasks: []\n");

        assertEquals(Map.of("ok", true), request(event("updated", document(full("p1")))));

        assertEquals(handWritten.toString(), next(registry.applied, WAIT).source());
        assertFalse(Files.exists(plansDir.resolve("p1.yaml")));
        assertEquals("Azure storage \"security\"", PlanSpec.fromFile(handWritten).title());
    }

    @ParameterizedTest
    @ValueSource(strings = {"deleted", "delete"})
    void aDeleteRemovesTheFileAndUnschedules(String type) throws Exception {
        request(event("activated", document(minimal("p1"))));
        request(event("activated", document(minimal("p2"))));

        assertEquals(Map.of("ok", true), request(event(type, Map.of("id", "p1"))));

        assertEquals("p1", next(registry.removed, WAIT));
        assertEquals(List.of("p2"), PlanDirectory.load(plansDir).plans().stream().map(PlanSpec::id).toList());
    }

    @Test
    void deletingAnUnknownPlanIsNotAnError() throws Exception {
        registry.knowsEveryPlan = false;
        assertEquals(Map.of("ok", true), request(event("deleted", document(minimal("nope")))));
        assertEquals("nope", next(registry.removed, WAIT));
    }

    @Test
    void garbageIsDeadLetteredAndTheNextEventIsStillApplied() throws Exception {
        Instant before = Instant.now();
        controlPlane.publish(PlanEventListener.SUBJECT, "garbage".getBytes(StandardCharsets.UTF_8));
        controlPlane.publish(PlanEventListener.SUBJECT, event("activated", document(minimal("good"))));

        assertEquals("good", next(registry.applied, WAIT).id());
        Map<String, Object> dead = deadLetter();
        assertTrue(((String) dead.get("reason")).startsWith("not valid JSON: Unrecognized token 'garbage'"),
                dead.toString());
        assertEquals("runtime.configuration", dead.get("subject"));
        assertEquals("rt-test", dead.get("runtimeId"));
        assertEquals("garbage", dead.get("message"));
        assertFalse(Instant.parse((String) dead.get("receivedAt")).isBefore(before.minusSeconds(1)));
        assertEquals(List.of(plansDir.resolve("good.yaml").toString()),
                PlanDirectory.load(plansDir).plans().stream().map(PlanSpec::source).toList());
    }

    @Test
    void malformedEventsAreAnsweredWithTheReason() throws Exception {
        assertEquals(Map.of("ok", false, "error", "\"type\" is required: activated, updated or deleted"),
                request("{\"data\": {\"id\": \"p1\"}}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Map.of("ok", false, "error", "unknown type \"paused\": expected activated, updated or deleted"),
                request(event("paused", Map.of("id", "p1"))));
        assertEquals(Map.of("ok", false, "error", "\"data\" must be an object (the plan), got an array"),
                request(event("activated", List.of())));
        for (int i = 0; i < 3; i++) {
            assertNotNull(deadLetter().get("reason"));
        }
        assertTrue(registry.applied.isEmpty());
        assertTrue(registry.removed.isEmpty());
    }

    @Test
    void anInvalidPlanIsNeitherStoredNorApplied() throws Exception {
        byte[] body = event("activated", Map.of("id", "p1", "tasks", List.of(Map.of("id", "t1"))));

        Map<String, Object> answer = request(body);

        String reason = "invalid plan: NATS runtime.configuration: tasks[0].schedule: is required";
        assertEquals(Map.of("ok", false, "error", reason), answer);
        Map<String, Object> dead = deadLetter();
        assertEquals(reason, dead.get("reason"));
        assertEquals(new String(body, StandardCharsets.UTF_8), dead.get("message"));
        assertEquals(List.of(), PlanDirectory.load(plansDir).plans());
        assertTrue(registry.applied.isEmpty());
    }

    @Test
    void anIdThatCannotNameAFileIsRejected() throws Exception {
        Map<String, Object> answer = request(event("activated", document(minimal("../outside"))));

        assertEquals(false, answer.get("ok"));
        assertTrue(((String) answer.get("error")).startsWith(
                "invalid plan: NATS runtime.configuration: id: \"../outside\" cannot name a plan file"), answer.toString());
        assertNotNull(deadLetter());
        assertFalse(Files.exists(plansDir.resolveSibling("outside.yaml")));
        assertTrue(registry.applied.isEmpty());
    }

    @Test
    void aPlanThatConflictsIsRefusedBeforeItIsStored() throws Exception {
        registry.checkFailure = new ConfigException(new ConfigProblem(PlanEvents.SOURCE, 0, 0, "tasks[0].id",
                "job id \"plugin/x\" of task \"x\" of plan \"plugin\" is already used by plugin \"x\""));

        Map<String, Object> answer = request(event("activated", document(minimal("plugin"))));

        assertEquals(Map.of("ok", false, "error", "plan not stored, it conflicts with this runtime's jobs: "
                + "NATS runtime.configuration: tasks[0].id: job id \"plugin/x\" of task \"x\" of plan \"plugin\""
                + " is already used by plugin \"x\""), answer);
        assertNotNull(deadLetter());
        assertEquals(List.of(), PlanDirectory.load(plansDir).plans(), "the plan file is not written");
        assertTrue(registry.applied.isEmpty());
    }

    @Test
    void aPlanTheRegistryRefusesAfterTheCheckStaysStoredAndTheSenderIsTold() throws Exception {
        registry.applyFailure = new ConfigException(new ConfigProblem("p1.yaml", 0, 0, "tasks[0].id",
                "job id \"plugin/x\" is already used by plugin \"x\""));

        Map<String, Object> answer = request(event("activated", document(minimal("p1"))));

        assertEquals(Map.of("ok", false, "error", "stored in " + plansDir.resolve("p1.yaml")
                + " but not scheduled: p1.yaml: tasks[0].id: job id \"plugin/x\" is already used by"
                + " plugin \"x\""), answer);
        assertNotNull(deadLetter());
        assertTrue(Files.exists(plansDir.resolve("p1.yaml")));
    }

    @Test
    void aSlowApplyDoesNotHoldTheDispatcherAndAFullQueueIsRefusedNotDropped() throws Exception {
        listener.close();
        listener = new PlanEventListener(runtimeSide, new PlanStore(plansDir), registry, "rt-test", 2);
        listener.start();
        registry.applyGate = new java.util.concurrent.CountDownLatch(1);
        String inbox = controlPlane.createInbox();
        Subscription replies = controlPlane.subscribe(inbox);
        controlPlane.publish(PlanEventListener.SUBJECT, inbox, event("activated", document(minimal("p0"))));
        assertEquals("p0", next(registry.applying, WAIT).id());
        for (int i = 1; i < 5; i++) {
            controlPlane.publish(PlanEventListener.SUBJECT, inbox, event("activated", document(minimal("p" + i))));
        }
        // p0 is being applied (blocked), p1 and p2 wait: p3 and p4 are answered at once, while p0 still blocks
        for (int i = 0; i < 2; i++) {
            Map<String, Object> refused = parse(replies.nextMessage(WAIT).getData());
            assertEquals(false, refused.get("ok"));
            assertTrue(((String) refused.get("error")).startsWith("the runtime is busy: 2 queued"), refused.toString());
            assertTrue(((String) deadLetter().get("reason")).startsWith("the runtime is busy"));
        }
        // a later event for a waiting plan takes its place (it is full by count, but p1 is already counted)
        controlPlane.publish(PlanEventListener.SUBJECT, inbox, event("updated", document(full("p1"))));
        assertEquals(Map.of("ok", true, "superseded", true), parse(replies.nextMessage(WAIT).getData()));

        registry.applyGate.countDown();
        for (String expected : List.of("p0", "p2", "p1")) {
            assertEquals(Map.of("ok", true), parse(replies.nextMessage(WAIT).getData()));
            assertEquals(expected, next(registry.applied, WAIT).id(), "the latest events, in arrival order");
        }
        assertEquals(withoutSource(full("p1")), withoutSource(PlanSpec.fromFile(plansDir.resolve("p1.yaml"))));
        assertEquals(List.of("p0", "p1", "p2"), PlanDirectory.load(plansDir).plans().stream().map(PlanSpec::id).toList());
        assertTrue(registry.applied.isEmpty());
    }

    @Test
    void anUnexpectedFailureIsReportedAndTheListenerGoesOn() throws Exception {
        registry.applyFailure = new IllegalStateException("plugin download failed");
        assertEquals(Map.of("ok", false, "error", "plugin download failed"),
                request(event("activated", document(minimal("p1")))));
        assertEquals("plugin download failed", deadLetter().get("reason"));

        registry.applyFailure = null;
        assertEquals(Map.of("ok", true), request(event("updated", document(minimal("p1")))));
        assertEquals("p1", next(registry.applied, WAIT).id());
    }

    @Test
    void aPayloadThatIsNotTextIsDeadLetteredAsBase64() throws Exception {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1};
        controlPlane.publish(PlanEventListener.SUBJECT, binary);

        Map<String, Object> dead = deadLetter();
        assertEquals(Base64.getEncoder().encodeToString(binary), dead.get("messageBase64"));
        assertFalse(dead.containsKey("message"));
    }

    private Map<String, Object> request(byte[] body) throws InterruptedException {
        Message reply = controlPlane.request(PlanEventListener.SUBJECT, body, WAIT);
        assertNotNull(reply, "no reply within " + WAIT);
        return parse(reply.getData());
    }

    private Map<String, Object> deadLetter() throws InterruptedException {
        Message message = deadLetters.nextMessage(WAIT);
        assertNotNull(message, "nothing on " + PlanEventListener.DEAD_LETTER_SUBJECT);
        return parse(message.getData());
    }
}
