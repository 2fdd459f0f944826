package io.ccf.ar.runtime.app;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.ccf.ar.runtime.config.LogFormat;

/**
 * The log set-up, in code rather than logback.xml (parsing XML loaded about 400 classes, Joran's and the JDK's XML
 * parser, into every daemon): stderr, text by default ({@link LogbackConfigurator} at start) or one JSON object per
 * line, the root level from {@code AR_LOG_LEVEL} (default INFO).
 */
public final class LogSetup {
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} - %msg"
            + "%replace( %kvp){'^ $', ''}%replace( %mdc){'^ $', ''}%n";

    private LogSetup() {
    }

    /** Switches to {@code format}; text is what logging starts with. */
    public static void apply(LogFormat format) {
        if (format != LogFormat.JSON) {
            return; // text: set at start
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            configure(context, format);
        }
    }

    static void configure(LoggerContext context, LogFormat format) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(format.name());
        appender.setTarget("System.err");
        appender.setEncoder(encoder(context, format));
        appender.start();
        // grpc-netty asks for SO_KEEPALIVE on Unix sockets too, where it means nothing.
        context.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap").setLevel(Level.ERROR);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(System.getProperty("AR_LOG_LEVEL", System.getenv("AR_LOG_LEVEL"))));
        root.addAppender(appender);
    }

    static Level rootLevel(String setting) {
        return setting == null || setting.isBlank() ? Level.INFO : Level.toLevel(setting.trim(), Level.INFO);
    }

    static Encoder<ILoggingEvent> encoder(LoggerContext context, LogFormat format) {
        if (format == LogFormat.JSON) {
            // timestamp, level, logger, message, MDC (run, job, plan, task, activity, plugin, package, version), key/values
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(TEXT_PATTERN);
        text.start();
        return text;
    }
}
