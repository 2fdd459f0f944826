package io.ccf.ar.runtime.fleet;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.ccf.ar.runtime.messaging.Redaction;

/**
 * Remembers the last ERROR line the runtime logged (time, logger, message), for the status document: a logback
 * appender on the root logger, so every component's errors count without each one reporting them. Holds one event;
 * the message passes through {@link Redaction} (URL user-info) and is cut at {@value #MAX_MESSAGE} characters.
 */
public final class LastErrorAppender extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    static final int MAX_MESSAGE = 500;
    private static final String NAME = "ar-last-error";

    private final AtomicReference<RuntimeStatus.LastError> last = new AtomicReference<>();
    private Logger root;

    /** Attached to logback's root logger (a detached holder when logging is not logback, e.g. in an embedder). */
    public static LastErrorAppender attachToRoot() {
        LastErrorAppender appender = new LastErrorAppender();
        appender.setName(NAME);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            appender.setContext(context);
            appender.start();
            appender.root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            appender.root.addAppender(appender);
        }
        return appender;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            return;
        }
        String message = Redaction.text(event.getFormattedMessage());
        if (message != null && message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE) + "...";
        }
        String logger = event.getLoggerName();
        last.set(new RuntimeStatus.LastError(Instant.ofEpochMilli(event.getTimeStamp()).toString(),
                logger.substring(logger.lastIndexOf('.') + 1), message));
    }

    public Optional<RuntimeStatus.LastError> last() {
        return Optional.ofNullable(last.get());
    }

    @Override
    public void close() {
        if (root != null) {
            root.detachAppender(this);
        }
        stop();
    }
}
