package io.ccf.ar.runtime.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.ccf.ar.runtime.config.LogFormat;

class LogSetupTest {
    private final LoggerContext context = new LoggerContext();

    @Test
    void textLineHasTimeLevelLoggerMessageKeyValuesAndMdc() {
        String line = encode(LogFormat.TEXT, event(Map.of("job", "plugin/busy")));
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) INFO  "
                + "i\\.c\\.a\\.r\\.app\\.Daemon - runtime starting runtimeId=\"r1\" job=plugin/busy\n"), line);
        assertTrue(encode(LogFormat.TEXT, event(Map.of())).endsWith(" - runtime starting runtimeId=\"r1\"\n"),
                "no trailing space without MDC");
    }

    @Test
    void jsonLineIsOneObjectWithTheFormattedMessageAndMdc() throws Exception {
        String line = encode(LogFormat.JSON, event(Map.of("job", "plugin/busy")));
        assertEquals(1, line.split("\n").length, line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("runtime starting", json.path("formattedMessage").asText(), line);
        assertEquals("INFO", json.path("level").asText(), line);
        assertEquals("plugin/busy", json.path("mdc").path("job").asText(), line);
        assertEquals("r1", json.path("kvpList").path(0).path("runtimeId").asText(), line);
    }

    @Test
    void rootLevelComesFromTheSettingElseInfo() {
        assertEquals(Level.DEBUG, LogSetup.rootLevel("debug"));
        assertEquals(Level.INFO, LogSetup.rootLevel(null));
        assertEquals(Level.INFO, LogSetup.rootLevel(" "));
        assertEquals(Level.INFO, LogSetup.rootLevel("loud"));
    }

    private LoggingEvent event(Map<String, String> mdc) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerContext(context);
        event.setLoggerName("io.ccf.ar.runtime.app.Daemon");
        event.setLevel(Level.INFO);
        event.setMessage("runtime starting");
        event.setTimeStamp(System.currentTimeMillis());
        event.setThreadName("main");
        event.setMDCPropertyMap(mdc);
        event.setKeyValuePairs(List.of(new KeyValuePair("runtimeId", "r1")));
        return event;
    }

    private String encode(LogFormat format, LoggingEvent event) {
        return new String(LogSetup.encoder(context, format).encode(event), StandardCharsets.UTF_8);
    }
}
