package io.ccf.ar.runtime.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.ccf.ar.runtime.schedule.Trigger;

/** The wire format of a trigger, without a server. */
class JetStreamTriggerQueueFormatTest {
    private static final Trigger TRIGGER = new Trigger("nightly-scan", Instant.parse("2024-05-01T10:00:00Z"));

    @Test
    void theBodyIsJobIdAndAnRfc3339FireTime() {
        assertEquals("{\"jobId\":\"nightly-scan\",\"fireTime\":\"2024-05-01T10:00:00Z\"}",
                new String(JetStreamTriggerQueue.body(TRIGGER), StandardCharsets.UTF_8));
        assertEquals(TRIGGER, JetStreamTriggerQueue.parse(JetStreamTriggerQueue.body(TRIGGER)));
    }

    @Test
    void theMessageIdNamesTheFire() {
        assertEquals("nightly-scan:2024-05-01T10:00:00Z", JetStreamTriggerQueue.messageId(TRIGGER));
        assertEquals("j:2024-05-01T10:00:00.250Z",
                JetStreamTriggerQueue.messageId(new Trigger("j", Instant.parse("2024-05-01T10:00:00.25Z"))));
    }

    @Test
    void anyRfc3339OffsetAndUnknownFieldsAreAccepted() {
        assertEquals(TRIGGER, parse("{\"fireTime\":\"2024-05-01T12:00:00+02:00\",\"jobId\":\"nightly-scan\",\"x\":1}"));
        assertEquals(new Trigger("j", Instant.parse("2024-05-01T10:00:00.123456789Z")),
                parse("{\"jobId\":\"j\",\"fireTime\":\"2024-05-01T10:00:00.123456789Z\"}"));
    }

    @Test
    void malformedBodiesSayWhatIsWrong() {
        assertProblem("not JSON", "hello");
        assertProblem("not a JSON object", "");
        assertProblem("not a JSON object", "[1]");
        assertProblem("no \"jobId\" string", "{\"fireTime\":\"2024-05-01T10:00:00Z\"}");
        assertProblem("no \"jobId\" string", "{\"jobId\":\"\",\"fireTime\":\"2024-05-01T10:00:00Z\"}");
        assertProblem("no \"jobId\" string", "{\"jobId\":7,\"fireTime\":\"2024-05-01T10:00:00Z\"}");
        assertProblem("no \"fireTime\" string", "{\"jobId\":\"j\"}");
        assertProblem("not an RFC 3339 time", "{\"jobId\":\"j\",\"fireTime\":\"yesterday\"}");
        assertProblem("not an RFC 3339 time", "{\"jobId\":\"j\",\"fireTime\":\"2024-05-01T10:00:00\"}");
    }

    private static Trigger parse(String body) {
        return JetStreamTriggerQueue.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertProblem(String expected, String body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(body));
        assertTrue(e.getMessage().contains(expected), body + " -> " + e.getMessage());
    }
}
