package io.ccf.ar.runtime.plugin;

import io.ccf.ar.runtime.json.JsonMappers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

/**
 * Turns a plugin's output into our log events, line by line. stderr: hclog JSON lines keep their
 * level, message and fields; other lines are logged as text ({@code [ERROR]}-style prefixes set the
 * level, and after a {@code panic:} line everything is an error, as go-plugin does). stdout (the pipe
 * after the handshake, and the GRPCStdio stream) is logged at info.
 *
 * <p>A plugin must not be able to flood the daemon: each line keeps at most
 * {@link BoundedLineReader#LOG_LINE_MAX_BYTES} (then {@code ...(truncated N bytes)}), and the lines
 * of one plugin, all streams together, pass a {@link LogRateLimiter}; dropped lines are counted in a
 * {@code suppressed N lines from plugin X} warning. Only lines that would be logged at the configured
 * level use up the rate.
 */
final class PluginLogForwarder {
    private static final ObjectMapper JSON = JsonMappers.COMPACT;

    private final PackageRef ref;
    private final Logger log;
    private final Map<String, String> context;
    private final OutputTail tail;
    private final LogRateLimiter limiter;
    private volatile boolean panicking;

    PluginLogForwarder(PackageRef ref, Map<String, String> context, OutputTail tail) {
        this(ref, context, tail, LogRateLimiter.DEFAULT_RATE, LogRateLimiter.DEFAULT_BURST);
    }

    PluginLogForwarder(PackageRef ref, Map<String, String> context, OutputTail tail, int linesPerSecond, int burst) {
        this.ref = ref;
        this.log = LoggerFactory.getLogger("plugin." + ref.name());
        this.context = Map.copyOf(context);
        this.tail = tail;
        this.limiter = new LogRateLimiter(linesPerSecond, burst, LogRateLimiter.NOTICE_INTERVAL, System::nanoTime,
                suppressed -> notice(suppressed, linesPerSecond, burst));
    }

    /** Reads {@code stderr} until EOF; run on its own thread. */
    void drain(InputStream stderr) {
        context.forEach(MDC::put);
        try {
            BoundedLineReader reader = new BoundedLineReader(stderr);
            BoundedLineReader.Line line;
            while ((line = reader.readLine(BoundedLineReader.LOG_LINE_MAX_BYTES)) != null) {
                String text = line.render();
                if (!text.isBlank()) {
                    tail.add(text);
                    forward(text);
                }
            }
        } catch (IOException e) {
            // the stream closes when the process dies; nothing more to forward
        } finally {
            MDC.clear();
        }
    }

    /** Reads stdout after the handshake until EOF (a Go plugin blocks when nobody reads it). */
    void drainStdout(BoundedLineReader stdout) {
        context.forEach(MDC::put);
        try {
            BoundedLineReader.Line line;
            while ((line = stdout.readLine(BoundedLineReader.LOG_LINE_MAX_BYTES)) != null) {
                forwardOutput("stdout", line.render());
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            MDC.clear();
        }
    }

    /** One GRPCStdio message: a chunk of the plugin's stdout or stderr, cut into bounded lines. */
    void forwardChunk(boolean stderr, ByteString data) {
        context.forEach(MDC::put);
        try {
            BoundedLineReader reader = new BoundedLineReader(data.newInput());
            BoundedLineReader.Line line;
            while ((line = reader.readLine(BoundedLineReader.LOG_LINE_MAX_BYTES)) != null) {
                String text = line.render();
                if (!text.isBlank()) {
                    if (stderr) {
                        tail.add(text);
                    }
                    forwardOutput(stderr ? "stderr" : "stdout", text);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading a ByteString cannot fail", e);
        } finally {
            MDC.clear();
        }
    }

    /** Lines dropped by the rate limit so far. */
    long suppressedLines() {
        return limiter.suppressedTotal();
    }

    private void forwardOutput(String stream, String line) {
        if (log.isInfoEnabled() && limiter.tryAcquire()) {
            log.atInfo().addKeyValue("stream", stream).log(line);
        }
    }

    void forward(String line) {
        if (line.startsWith("{")) {
            Level peeked = peekLevel(line);
            if (!log.isEnabledForLevel(peeked == null ? Level.INFO : peeked) || !limiter.tryAcquire()) {
                return; // skip the JSON parse for lines nobody will see
            }
            try {
                JsonNode node = JSON.readTree(line);
                if (node != null && node.isObject() && node.has("@message")) {
                    forwardJson(node);
                    return;
                }
            } catch (IOException notJson) {
                // fall through: log it as text
            }
            forwardText(line, false);
            return;
        }
        forwardText(line, true);
    }

    private void forwardJson(JsonNode node) {
        LoggingEventBuilder event = log.atLevel(level(node.path("@level").asText("info")));
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            if (key.equals("@message") || key.equals("@level") || key.equals("@timestamp")) {
                continue;
            }
            JsonNode value = field.getValue();
            event = event.addKeyValue(key.startsWith("@") ? key.substring(1) : key,
                    value.isValueNode() ? value.asText() : value.toString());
        }
        event.log(node.path("@message").asText());
    }

    private void forwardText(String line, boolean limit) {
        if (line.startsWith("panic:")) {
            panicking = true;
        }
        Level level = panicking ? Level.ERROR : Level.INFO;
        String text = line;
        for (Level candidate : Level.values()) {
            String prefix = "[" + candidate.name() + "]";
            if (line.startsWith(prefix)) {
                level = candidate;
                text = line.substring(prefix.length()).strip();
                break;
            }
        }
        if (line.startsWith("[WARNING]")) {
            level = Level.WARN;
            text = line.substring("[WARNING]".length()).strip();
        }
        if (!log.isEnabledForLevel(level) || (limit && !limiter.tryAcquire())) {
            return;
        }
        log.atLevel(level).addKeyValue("stream", "stderr").log(text);
    }

    /** Runs on the limiter's notice thread. */
    private void notice(long suppressed, int linesPerSecond, int burst) {
        context.forEach(MDC::put);
        try {
            log.atWarn().addKeyValue("plugin", ref.toString()).addKeyValue("suppressed", suppressed)
                    .log("suppressed {} lines from plugin {} (log rate limit: {} lines/s, burst {})",
                            suppressed, ref, linesPerSecond, burst);
        } finally {
            MDC.clear();
        }
    }

    /** The level of an hclog line without parsing it, or null when it is not where hclog puts it. */
    static Level peekLevel(String line) {
        int at = line.indexOf("\"@level\":\"");
        if (at < 0) {
            return null;
        }
        int start = at + 10;
        int end = line.indexOf('"', start);
        return end < 0 ? null : level(line.substring(start, end));
    }

    static Level level(String hclogLevel) {
        return switch (hclogLevel.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "warn", "warning" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> Level.INFO;
        };
    }
}
