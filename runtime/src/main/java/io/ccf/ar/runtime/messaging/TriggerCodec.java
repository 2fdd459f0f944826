package io.ccf.ar.runtime.messaging;

import io.ccf.ar.runtime.json.JsonMappers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.ccf.ar.runtime.schedule.Trigger;

/**
 * The wire form of a trigger on the schedule stream: subject {@value #SUBJECT}, body
 * {@code {"jobId":"...","fireTime":"<RFC 3339 UTC>","timeZone":"<zone id>"}} ({@code timeZone} optional: triggers of
 * earlier runtimes have none), Nats-Msg-Id {@code <jobId>:<fireTime>} so that the copies every runtime publishes of one
 * fire are stored once.
 */
final class TriggerCodec {
    /** Where triggers are published. */
    static final String SUBJECT = "runtime.schedule.fire";
    private static final ObjectMapper JSON = JsonMappers.COMPACT;

    private TriggerCodec() {
    }

    /** {@code <jobId>:<fireTime>}, the fire time in UTC as RFC 3339: the same on every runtime. */
    static String messageId(Trigger trigger) {
        return trigger.jobId() + ":" + trigger.fireTime();
    }

    static byte[] body(Trigger trigger) {
        ObjectNode node = JSON.createObjectNode();
        node.put("jobId", trigger.jobId());
        node.put("fireTime", trigger.fireTime().toString()); // ISO_INSTANT: RFC 3339 in UTC
        if (!trigger.timeZone().isEmpty()) {
            node.put("timeZone", trigger.timeZone());
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The trigger in a body, or an exception saying what is wrong with it. */
    static Trigger parse(byte[] body) throws IllegalArgumentException {
        JsonNode node;
        try {
            node = JSON.readTree(body == null ? new byte[0] : body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode jobId = node.get("jobId");
        JsonNode fireTime = node.get("fireTime");
        JsonNode timeZone = node.get("timeZone");
        if (jobId == null || !jobId.isTextual() || jobId.asText().isEmpty()) {
            throw new IllegalArgumentException("no \"jobId\" string");
        }
        if (fireTime == null || !fireTime.isTextual()) {
            throw new IllegalArgumentException("no \"fireTime\" string");
        }
        if (timeZone != null && !timeZone.isTextual()) {
            throw new IllegalArgumentException("\"timeZone\" is not a string");
        }
        try {
            return new Trigger(jobId.asText(),
                    OffsetDateTime.parse(fireTime.asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant(),
                    timeZone == null ? "" : timeZone.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"fireTime\" is not an RFC 3339 time: " + fireTime.asText());
        }
    }
}
