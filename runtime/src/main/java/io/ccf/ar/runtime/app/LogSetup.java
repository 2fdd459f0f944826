package io.ccf.ar.runtime.app;

import java.net.URL;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.ccf.ar.runtime.config.LogFormat;

/** Switches logging between text (logback.xml) and one JSON object per line (logback-json.xml). */
public final class LogSetup {
    private LogSetup() {
    }

    public static void apply(LogFormat format) {
        if (format != LogFormat.JSON) {
            return; // logback.xml, loaded at start, is the text format
        }
        URL json = LogSetup.class.getResource("/logback-json.xml");
        if (json == null || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(json);
        } catch (JoranException e) {
            System.err.println("cannot switch logging to JSON: " + e.getMessage());
        }
    }
}
