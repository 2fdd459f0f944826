package io.ccf.ar.runtime.faults;

import static io.ccf.ar.runtime.faults.FaultDaemons.event;
import static io.ccf.ar.runtime.faults.FaultDaemons.plan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.ccf.ar.runtime.config.PlanSpec;
import io.ccf.ar.runtime.testing.BillionLaughs;
import io.ccf.ar.runtime.testing.CliProcess;
import io.nats.client.Dispatcher;

/** Plan events and run requests a runtime must survive: floods of garbage, bombs, collisions, bursts. */
class PlanEventFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String EVENTS = "runtime.configuration";
    private static final String REQUESTS = "runtime.assessment.request";
    private static final String NEVER = "0 0 0 1 1 *"; // once a year: plans that must not run by themselves

    @TempDir
    Path dir;
    private FaultDaemons env;

    @AfterEach
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private CliProcess daemon(String maxHeap) throws Exception {
        env = new FaultDaemons(dir).withNats();
        env.config("rt", FaultDaemons.BUSY_PLUGIN);
        CliProcess ar = env.start("rt", maxHeap);
        ar.awaitLog("listening for plan events", WAIT);
        return ar;
    }

    /** Replies on {@code prefix.<n>}, counted per n; {@code done} counts down once per distinct n. */
    private static final class Replies {
        final Map<Integer, JsonNode> byIndex = new ConcurrentHashMap<>();
        final AtomicInteger duplicates = new AtomicInteger();
        final CountDownLatch done;

        Replies(io.nats.client.Connection client, String prefix, int expected) throws Exception {
            done = new CountDownLatch(expected);
            Dispatcher d = client.createDispatcher(m -> {
                int n = Integer.parseInt(m.getSubject().substring(prefix.length() + 1));
                try {
                    if (byIndex.putIfAbsent(n, JSON.readTree(m.getData())) == null) {
                        done.countDown();
                    } else {
                        duplicates.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            d.setPendingLimits(-1, -1); // the test must not drop what the runtime sent
            d.subscribe(prefix + ".>");
            client.flush(Duration.ofSeconds(5));
        }

        long count(String field, boolean value) {
            return byIndex.values().stream().filter(r -> r.path(field).asBoolean() == value).count();
        }

        boolean await(Duration timeout) throws InterruptedException {
            return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Counts what arrives on runtime.configuration.dead. */
    private static AtomicInteger deadLetters(io.nats.client.Connection client) throws Exception {
        AtomicInteger count = new AtomicInteger();
        Dispatcher d = client.createDispatcher(m -> {
            synchronized (count) {
                count.incrementAndGet();
                count.notifyAll();
            }
        });
        d.setPendingLimits(-1, -1);
        d.subscribe(EVENTS + ".dead");
        client.flush(Duration.ofSeconds(5));
        return count;
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    /** Malformed plan events, by kind; every 500th is a 450 KB message of 150,000 values. */
    private static final List<IntFunction<byte[]>> BAD_EVENTS = List.of(
            i -> ("not json " + i).getBytes(StandardCharsets.UTF_8),
            i -> new byte[0],
            i -> new byte[] {(byte) 0xff, (byte) 0xfe, 0, (byte) i},
            i -> "[]".getBytes(StandardCharsets.UTF_8),
            i -> "{\"data\":{}}".getBytes(StandardCharsets.UTF_8),
            i -> event("paused", "{\"id\":\"x\"}").getBytes(StandardCharsets.UTF_8),
            i -> event("activated", "[]").getBytes(StandardCharsets.UTF_8),
            i -> event("activated", "{\"id\":\"p" + i + "\",\"tasks\":[{\"id\":\"t1\"}]}").getBytes(StandardCharsets.UTF_8),
            i -> event("deleted", "{}").getBytes(StandardCharsets.UTF_8),
            i -> event("activated", plan("../escape-" + i, NEVER, "x")).getBytes(StandardCharsets.UTF_8),
            i -> event("activated", "{\"id\":\"plugin\",\"tasks\":[{\"id\":\"busy\",\"schedule\":\"* * * * * *\","
                    + "\"activities\":[{\"id\":\"a\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\","
                    + "\"version\":\"1.0.0\"}}]}]}").getBytes(StandardCharsets.UTF_8),
            i -> event("activated", "{\"id\":\"deep\",\"tasks\":" + nested(2_000) + "}").getBytes(StandardCharsets.UTF_8));

    private static final List<IntFunction<byte[]>> BAD_REQUESTS = List.of(
            i -> ("not json " + i).getBytes(StandardCharsets.UTF_8),
            i -> new byte[0],
            i -> "[1,2]".getBytes(StandardCharsets.UTF_8),
            i -> "{\"planId\":\"\"}".getBytes(StandardCharsets.UTF_8),
            i -> ("{\"planId\":\"unknown-" + i + "\"}").getBytes(StandardCharsets.UTF_8),
            i -> "{\"planId\":\"x\",\"bogus\":1}".getBytes(StandardCharsets.UTF_8),
            i -> "{\"planId\":5}".getBytes(StandardCharsets.UTF_8),
            i -> "{\"planId\":\"x\",\"activityId\":\"a\"}".getBytes(StandardCharsets.UTF_8),
            i -> ("{\"id\":\"adhoc-" + i + "\",\"tasks\":[{\"id\":\"t\"}]}").getBytes(StandardCharsets.UTF_8),
            i -> ("{\"planId\":\"x\",\"taskId\":" + nested(2_000) + "}").getBytes(StandardCharsets.UTF_8));

    private static byte[] bad(List<IntFunction<byte[]>> kinds, int i) {
        if (i % 500 == 499) {
            return ("{\"type\":\"activated\",\"data\":{\"id\":\"big\",\"tasks\":" + BillionLaughs.jsonArrayOf(150_000) + "}}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return kinds.get(i % kinds.size()).apply(i);
    }

    @Test
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void tenThousandMalformedEventsAndRequestsAreEachAnsweredAndTheDaemonGoesOn() throws Exception {
        CliProcess ar = daemon("256m");
        int events = 10_000;
        int requests = 10_000;
        int eventsWithoutReply = 1_000;
        Replies eventReplies = new Replies(env.client, "flood.events", events);
        Replies requestReplies = new Replies(env.client, "flood.requests", requests);
        AtomicInteger dead = deadLetters(env.client);

        for (int i = 0; i < events; i++) {
            env.client.publish(EVENTS, "flood.events." + i, bad(BAD_EVENTS, i));
            env.client.publish(REQUESTS, "flood.requests." + i, bad(BAD_REQUESTS, i));
        }
        for (int i = 0; i < eventsWithoutReply; i++) {
            env.client.publish(EVENTS, bad(BAD_EVENTS.subList(0, 9), i)); // unkeyed kinds: each is refused on its own
        }
        env.client.flush(Duration.ofSeconds(30));
        boolean allEvents = eventReplies.await(Duration.ofSeconds(180));
        boolean allRequests = requestReplies.await(Duration.ofSeconds(120));

        long refusedEvents = eventReplies.count("ok", false);
        // several colliding events for plan "plugin" may wait at once: the later replaces the earlier
        long superseded = eventReplies.byIndex.values().stream().filter(r -> r.path("superseded").asBoolean()).count();
        long applied = eventReplies.count("ok", true) - superseded;
        long refusedRequests = requestReplies.count("accepted", false);
        long deadExpected = refusedEvents + eventsWithoutReply;
        awaitCount(dead, deadExpected, Duration.ofSeconds(60));
        boolean aliveAfterFlood = ar.isAlive();

        // a valid event afterwards is applied, and a request runs its job
        String ok = env.request(EVENTS, event("activated", plan("after", NEVER, "eu")));
        JsonNode run = JSON.readTree(env.request(REQUESTS, "{\"planId\":\"after\"}"));
        JsonNode result = env.results.await(r -> r.path("runId").asText().equals(run.path("runId").asText()),
                WAIT, () -> "\n" + ar.stderr());

        FaultReport.scenario("malformed-plan-events-and-requests", "10,000 malformed plan events (12 kinds: not JSON,"
                        + " binary, wrong types, invalid plans, bad ids, a plan colliding with plugin/busy, 2,000-deep"
                        + " nesting, 150,000-value documents) and 10,000 malformed run requests, published without"
                        + " waiting, plus 1,000 events without a reply subject; ar daemon -Xmx256m on nats-server")
                .count("eventsSent", events + eventsWithoutReply).count("eventsWithoutReplySubject", eventsWithoutReply)
                .count("eventsReplied", eventReplies.byIndex.size())
                .count("eventsRefused", refusedEvents).count("eventsSuperseded", superseded)
                .count("eventsApplied", applied)
                .count("deadLettered", dead.get()).count("deadLetteredExpected", deadExpected)
                .count("requestsSent", requests).count("requestsReplied", requestReplies.byIndex.size())
                .count("requestsRefused", refusedRequests)
                .count("repliesDuplicated", eventReplies.duplicates.get() + requestReplies.duplicates.get())
                .count("lost", (events - eventReplies.byIndex.size()) + (requests - requestReplies.byIndex.size())
                        + Math.max(0, deadExpected - dead.get()))
                .count("daemonAlive", aliveAfterFlood && ar.isAlive() ? 1 : 0)
                .count("validEventAppliedAfter", ok.equals("{\"ok\":true}") && result != null ? 1 : 0)
                .write(PlanEventFaultTest.class);
        assertTrue(allEvents, "event replies: " + eventReplies.byIndex.size());
        assertTrue(allRequests, "request replies: " + requestReplies.byIndex.size());
        assertEquals(0, applied, "no malformed event is applied");
        assertEquals(events, refusedEvents + superseded);
        assertEquals(requests, refusedRequests);
        assertEquals(deadExpected, dead.get());
        assertEquals(0, eventReplies.duplicates.get() + requestReplies.duplicates.get());
        assertTrue(aliveAfterFlood);
        assertEquals("{\"ok\":true}", ok);
        assertTrue(run.path("accepted").asBoolean(), run.toString());
        assertFalse(Files.exists(dir.resolve("rt/assessments/plugin.yaml")), "the colliding plan is never stored");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void planEventBombsAreRefusedAndTheDaemonKeepsRunning() throws Exception {
        CliProcess ar = daemon("128m");
        Map<String, String> bombs = new java.util.LinkedHashMap<>();
        bombs.put("150,000 values", event("activated", "{\"id\":\"b1\",\"tasks\":" + BillionLaughs.jsonArrayOf(150_000) + "}"));
        bombs.put("300,000 values", event("activated", "{\"id\":\"b2\",\"tasks\":[{\"id\":\"t\",\"schedule\":\"* * * * *\","
                + "\"activities\":[{\"id\":\"a\",\"provider\":{\"name\":\"n\",\"package\":\"p\",\"version\":\"1.0.0\","
                + "\"configuration\":" + BillionLaughs.jsonArrayOf(300_000) + "}}]}]}"));
        bombs.put("nesting 100,000 deep", event("activated", "{\"id\":\"b3\",\"tasks\":" + nested(100_000) + "}"));
        bombs.put("a YAML alias bomb as a string", event("activated", "{\"id\":\"b4\",\"tasks\":\""
                + BillionLaughs.yamlSequence() + "\"}"));
        int refused = 0;
        int clear = 0;
        for (Map.Entry<String, String> bomb : bombs.entrySet()) {
            JsonNode reply = JSON.readTree(env.request(EVENTS, bomb.getValue()));
            String error = reply.path("error").asText();
            refused += reply.path("ok").asBoolean() ? 0 : 1;
            clear += error.contains("expands to more than 100,000 nodes") || error.contains("nesting depth")
                    || error.contains("expected a list") ? 1 : 0;
            System.out.println(bomb.getKey() + " -> " + error.substring(0, Math.min(200, error.length())));
        }
        String ok = env.request(EVENTS, event("activated", plan("after", "* * * * * *", "eu")));
        env.results.await(r -> r.path("planId").asText().equals("after"), WAIT, () -> "\n" + ar.stderr());
        boolean outOfMemory = ar.stderr().stream().anyMatch(l -> l.contains("OutOfMemoryError"));

        FaultReport.scenario("alias-bomb-plan-event", "plan events with 150,000 and 300,000 values, 100,000-deep"
                        + " nesting and a YAML alias bomb as text; ar daemon -Xmx128m")
                .count("sent", bombs.size()).count("refused", refused).count("errorsClear", clear)
                .count("outOfMemory", outOfMemory ? 1 : 0).count("daemonAlive", ar.isAlive() ? 1 : 0)
                .count("validEventAppliedAfter", ok.equals("{\"ok\":true}") ? 1 : 0)
                .write(PlanEventFaultTest.class);
        assertEquals(bombs.size(), refused);
        assertEquals(bombs.size(), clear);
        assertFalse(outOfMemory);
        assertTrue(ar.isAlive());
        assertEquals("{\"ok\":true}", ok);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aPlanCollidingWithAConfiguredJobIsRefusedAndNotStored() throws Exception {
        CliProcess ar = daemon("128m");
        AtomicInteger dead = deadLetters(env.client);
        String colliding = "{\"id\":\"plugin\",\"tasks\":[{\"id\":\"busy\",\"schedule\":\"* * * * * *\",\"activities\":"
                + "[{\"id\":\"a\",\"provider\":{\"name\":\"busy\",\"package\":\"sample\",\"version\":\"1.0.0\"}}]}]}";

        JsonNode reply = JSON.readTree(env.request(EVENTS, event("activated", colliding)));
        String error = reply.path("error").asText();
        boolean named = error.contains("job id \"plugin/busy\"") && error.contains("already used by plugin \"busy\"");
        awaitCount(dead, 1, WAIT);
        List<String> stored;
        try (var files = Files.list(dir.resolve("rt/assessments"))) {
            stored = files.map(p -> p.getFileName().toString()).toList();
        }
        // the runtime goes on: its configured job still runs, and a later restart is not affected
        env.results.await(r -> r.path("jobId").asText().equals("plugin/busy"), WAIT, () -> "\n" + ar.stderr());

        FaultReport.scenario("plan-event-collides-with-configured-job", "plan event for plan \"plugin\" with task"
                        + " \"busy\" while config.yml runs plugin busy (job plugin/busy)")
                .count("sent", 1).count("refused", reply.path("ok").asBoolean() ? 0 : 1)
                .count("errorNamesTheJob", named ? 1 : 0).count("deadLettered", dead.get())
                .count("planFilesWritten", stored.size()).count("daemonAlive", ar.isAlive() ? 1 : 0)
                .write(PlanEventFaultTest.class);
        assertFalse(reply.path("ok").asBoolean(), reply.toString());
        assertTrue(named, error);
        assertEquals(List.of(), stored);
        assertTrue(ar.isAlive());
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aBurstOfPlanEventsEndsInTheLastStateOfEachPlan() throws Exception {
        CliProcess ar = daemon("256m");
        int plans = 20;
        int perPlan = 100;
        Replies replies = new Replies(env.client, "burst", plans * perPlan);
        for (int k = 0; k < perPlan; k++) {
            for (int p = 0; p < plans; p++) {
                env.client.publish(EVENTS, "burst." + (k * plans + p), event(k == 0 ? "activated" : "updated",
                        plan(String.format("b%02d", p), NEVER, "v" + k)).getBytes(StandardCharsets.UTF_8));
            }
        }
        env.client.flush(Duration.ofSeconds(30));
        boolean all = replies.await(Duration.ofSeconds(240));

        long superseded = replies.byIndex.values().stream().filter(r -> r.path("superseded").asBoolean()).count();
        long applied = replies.count("ok", true) - superseded;
        long refused = replies.count("ok", false);
        // final state: on disk, and in the running catalog (a run of each plan reports the last region)
        int lastOnDisk = 0;
        int lastRun = 0;
        Map<String, String> runIds = new HashMap<>();
        for (int p = 0; p < plans; p++) {
            String id = String.format("b%02d", p);
            PlanSpec stored = PlanSpec.fromFile(dir.resolve("rt/assessments/" + id + ".yaml"));
            lastOnDisk += stored.tasks().get(0).activities().get(0).provider().configuration().get("region")
                    .equals("v" + (perPlan - 1)) ? 1 : 0;
            runIds.put(JSON.readTree(env.request(REQUESTS, "{\"planId\":\"" + id + "\"}")).path("runId").asText(), id);
        }
        List<String> seen = new ArrayList<>();
        while (seen.size() < plans) {
            JsonNode r = env.results.await(x -> runIds.containsKey(x.path("runId").asText())
                    && !seen.contains(x.path("runId").asText()), WAIT, () -> "\n" + ar.stderr());
            seen.add(r.path("runId").asText());
            lastRun += region(r).equals("v" + (perPlan - 1)) ? 1 : 0;
        }

        FaultReport.scenario("plan-event-burst", "2,000 valid plan events for 20 plans (100 updates each,"
                        + " interleaved) published without waiting; ar daemon on nats-server")
                .count("sent", plans * perPlan).count("replied", replies.byIndex.size()).count("applied", applied)
                .count("superseded", superseded).count("refused", refused)
                .count("lost", plans * perPlan - replies.byIndex.size())
                .count("plansAtLastStateOnDisk", lastOnDisk).count("plansAtLastStateWhenRun", lastRun)
                .count("daemonAlive", ar.isAlive() ? 1 : 0)
                .write(PlanEventFaultTest.class);
        assertTrue(all, "replies: " + replies.byIndex.size());
        assertEquals(0, refused);
        assertEquals(plans * perPlan, applied + superseded);
        assertEquals(plans, lastOnDisk);
        assertEquals(plans, lastRun);
        assertTrue(ar.isAlive());
    }

    private static String region(JsonNode result) {
        for (JsonNode p : result.path("observations").get(0).path("Props")) {
            if (p.path("Name").asText().equals("region")) {
                return p.path("Value").asText();
            }
        }
        return "";
    }

    /** Waits until {@link #deadLetters}' counter reaches {@code expected} (it notifies on every message). */
    private static void awaitCount(AtomicInteger count, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (count) {
            long left;
            while (count.get() < expected && (left = deadline - System.nanoTime()) > 0) {
                count.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }
}
