package io.ccf.ar.sdk.internal;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Sends java.util.logging (what gRPC and Netty log through) to stderr as hclog
 * JSON instead of JUL's two-line plain-text format, so the host shows library
 * warnings at their level. JUL's root level is the plugin's threshold but never
 * below INFO (library debug output is noise; a JUL config file given with
 * {@code -Djava.util.logging.config.file} is left alone).
 */
final class JulBridge extends Handler {
    /** JUL holds loggers weakly: keep the ones whose level we set. */
    private static final Logger[] KEPT = new Logger[2];

    private final SimpleFormatter formatter = new SimpleFormatter();

    private JulBridge() {
    }

    static void install(boolean unixSocket) {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                root.removeHandler(h);
            }
        }
        root.addHandler(new JulBridge());
        root.setLevel(toJul(Math.max(Hclog.threshold(), Hclog.INFO)));
        KEPT[0] = root;
        if (unixSocket) {
            // gRPC sets SO_KEEPALIVE on every accepted connection; Netty warns
            // that a Unix socket has no such option, once per connection.
            Logger bootstrap = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap");
            bootstrap.setLevel(Level.SEVERE);
            KEPT[1] = bootstrap;
        }
    }

    private static Level toJul(int rank) {
        switch (rank) {
            case 0:
                return Level.FINEST;
            case 1:
                return Level.FINE;
            case 2:
                return Level.INFO;
            case 3:
                return Level.WARNING;
            default:
                return Level.SEVERE;
        }
    }

    private static int toRank(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return 4;
        }
        if (v >= Level.WARNING.intValue()) {
            return 3;
        }
        if (v >= Level.INFO.intValue()) {
            return 2;
        }
        if (v >= Level.FINE.intValue()) {
            return 1;
        }
        return 0;
    }

    @Override
    public void publish(LogRecord r) {
        int rank = toRank(r.getLevel());
        if (rank < Hclog.threshold()) {
            return;
        }
        String msg = formatter.formatMessage(r);
        Object[] kv = r.getThrown() == null
                ? new Object[] {"logger", r.getLoggerName()}
                : new Object[] {"logger", r.getLoggerName(), "error", r.getThrown().toString()};
        StderrSink.write(Hclog.line(rank, Hclog.rootModule(), msg, kv));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
