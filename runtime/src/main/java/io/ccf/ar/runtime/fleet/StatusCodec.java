package io.ccf.ar.runtime.fleet;

import io.ccf.ar.runtime.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The wire form of a {@link RuntimeStatus}: one JSON object. */
public final class StatusCodec {
    private final ObjectMapper json = JsonMappers.COMPACT;

    public byte[] encode(RuntimeStatus status) {
        try {
            return json.writeValueAsBytes(status);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException when the bytes are not a status document (no runtimeId, not JSON) */
    public RuntimeStatus decode(byte[] data) throws IOException {
        RuntimeStatus status;
        try {
            status = json.readValue(data, RuntimeStatus.class);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (status == null || status.runtimeId() == null || status.runtimeId().isBlank()) {
            throw new IOException("no runtimeId");
        }
        return status;
    }

    public ObjectMapper mapper() {
        return json;
    }
}
