package io.ccf.ar.runtime.json;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The runtime's JSON mappers, configured once here (a mapper is thread-safe once configured, and costly to
 * build): one per way the runtime uses JSON, so that a wire format, a file format and the bus's input checks
 * each have one definition.
 */
public final class JsonMappers {
    /** Compact, Jackson's defaults: wire messages the runtime writes and reads back (triggers, results, OCI). */
    public static final ObjectMapper COMPACT = JsonMapper.builder().build();

    /**
     * Indented for people, and tolerant of fields a newer version added: files the runtime keeps or serves
     * ({@code plugins.lock}, {@code index.json}, the registry state) and the health endpoints' bodies.
     */
    public static final ObjectMapper FILES = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * Input from the bus and from HTTP bodies, whose sender gets the reason for a refusal: a repeated key is a
     * mistake (not "last wins"), trailing tokens are refused, and {@code version: 1.10} stays "1.10".
     */
    public static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private JsonMappers() {
    }
}
