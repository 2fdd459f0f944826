package io.ccf.ar.runtime.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LastErrorAppenderTest {
    private static final Logger log = LoggerFactory.getLogger("io.ccf.ar.runtime.test.Component");

    @Test
    void keepsTheLastErrorLineRedactedAndCut() {
        try (LastErrorAppender appender = LastErrorAppender.attachToRoot()) {
            assertTrue(appender.last().isEmpty());
            log.warn("only a warning");
            assertTrue(appender.last().isEmpty(), "a WARN line counted as an error");
            log.error("first");
            log.error("cannot reach {}: refused", "nats://user:s3cret@nats:4222");
            RuntimeStatus.LastError last = appender.last().orElseThrow();
            assertEquals("cannot reach nats://***@nats:4222: refused", last.message());
            assertEquals("Component", last.logger());
            log.error("x".repeat(600));
            assertEquals(LastErrorAppender.MAX_MESSAGE + 3, appender.last().orElseThrow().message().length());
        }
        log.error("after close");
    }

    @Test
    void aClosedAppenderHearsNothing() {
        LastErrorAppender appender = LastErrorAppender.attachToRoot();
        appender.close();
        log.error("after close");
        assertTrue(appender.last().isEmpty());
    }
}
