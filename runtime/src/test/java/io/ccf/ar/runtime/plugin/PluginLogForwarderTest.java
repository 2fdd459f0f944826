package io.ccf.ar.runtime.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class PluginLogForwarderTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("plugin.fwd");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture() {
        events.start();
        logger.addAppender(events);
        logger.setLevel(Level.DEBUG);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setLevel(null);
    }

    private void drain(String stderr) {
        OutputTail tail = new OutputTail(5);
        new PluginLogForwarder(new PackageRef("fwd", "1.0"), Map.of("package", "fwd"), tail)
                .drain(new ByteArrayInputStream(stderr.getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, String> kv(ILoggingEvent e) {
        List<KeyValuePair> pairs = e.getKeyValuePairs() == null ? List.of() : e.getKeyValuePairs();
        return pairs.stream().collect(Collectors.toMap(p -> p.key, p -> String.valueOf(p.value)));
    }

    @Test
    void hclogJsonKeepsLevelMessageAndFields() {
        drain("{\"@level\":\"warn\",\"@message\":\"disk nearly full\",\"@module\":\"busy\","
                + "\"@timestamp\":\"2026-11-25T13:39:54.164621Z\",\"free_mb\":12,\"nested\":{\"a\":1}}\n");
        ILoggingEvent e = events.list.get(0);
        assertEquals(Level.WARN, e.getLevel());
        assertEquals("disk nearly full", e.getFormattedMessage());
        assertEquals(Map.of("module", "busy", "free_mb", "12", "nested", "{\"a\":1}"), kv(e));
        assertEquals("fwd", e.getMDCPropertyMap().get("package"));
    }

    @Test
    void textLinesUsePrefixesAndPanicSwitchesToError() {
        drain("[ERROR] cannot reach api\nplain words\npanic: boom\ngoroutine 1 [running]:\n");
        List<Level> levels = events.list.stream().map(ILoggingEvent::getLevel).toList();
        assertEquals(List.of(Level.ERROR, Level.INFO, Level.ERROR, Level.ERROR), levels);
        assertEquals("cannot reach api", events.list.get(0).getFormattedMessage());
    }

    @Test
    void linesBelowTheThresholdAreDropped() {
        logger.setLevel(Level.INFO);
        drain("{\"@level\":\"debug\",\"@message\":\"chatty\"}\n{\"@level\":\"info\",\"@message\":\"kept\"}\n");
        assertEquals(List.of("kept"), events.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    @Test
    void peekLevelReadsHclogWithoutParsing() {
        assertEquals(org.slf4j.event.Level.DEBUG, PluginLogForwarder.peekLevel("{\"@level\":\"debug\",\"@message\":\"x\"}"));
        assertNull(PluginLogForwarder.peekLevel("{\"message\":\"x\"}"));
    }
}
