package io.ccf.ar.runtime.plans;

import io.ccf.ar.runtime.json.JsonMappers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON in and out of NATS messages and HTTP bodies, with reasons a sender can act on. */
final class JsonMessages {
    private static final ObjectMapper MAPPER = JsonMappers.STRICT;

    private JsonMessages() {
    }

    /** Any JSON value as Map/List/String/Number/Boolean/null. */
    static Object parse(byte[] body) {
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            throw new MessageRejectedException("empty message (expected JSON)");
        }
        try {
            return MAPPER.readValue(body, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new MessageRejectedException("not valid JSON: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            throw new MessageRejectedException("cannot read JSON: " + e.getMessage());
        }
    }

    /** A JSON object; anything else is rejected naming {@code what} was expected. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseObject(byte[] body, String what) {
        Object value = parse(body);
        if (value instanceof Map<?, ?> map) {
            return (Map<String, Object>) map; // Jackson's object keys are always strings
        }
        throw new MessageRejectedException("expected a JSON object (" + what + "), got " + typeOf(value));
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode JSON: " + e.getMessage(), e);
        }
    }

    /** The JSON type name of a decoded value, for messages such as "got an array". */
    static String typeOf(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    /** The body as text if it is UTF-8, else null (the caller then keeps it as base64). */
    static String utf8OrNull(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String base64(byte[] body) {
        return Base64.getEncoder().encodeToString(body);
    }
}
