package io.ccf.ar.runtime.plugin;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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

/**
 * Turns a plugin's stderr into our log events, line by line: hclog JSON lines keep their level,
 * message and fields; other lines are logged as text ({@code [ERROR]}-style prefixes set the level,
 * and after a {@code panic:} line everything is an error, as go-plugin does).
 */
final class PluginLogForwarder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Logger log;
    private final Map<String, String> context;
    private final OutputTail tail;
    private boolean panicking;

    PluginLogForwarder(PackageRef ref, Map<String, String> context, OutputTail tail) {
        this.log = LoggerFactory.getLogger("plugin." + ref.name());
        this.context = Map.copyOf(context);
        this.tail = tail;
    }

    /** Reads {@code stderr} until EOF; run on its own thread. */
    void drain(InputStream stderr) {
        context.forEach(MDC::put);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    tail.add(line);
                    forward(line);
                }
            }
        } catch (IOException e) {
            // the stream closes when the process dies; nothing more to forward
        } finally {
            MDC.clear();
        }
    }

    void forward(String line) {
        if (line.startsWith("{")) {
            Level peeked = peekLevel(line);
            if (peeked != null && !log.isEnabledForLevel(peeked)) {
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
        }
        forwardText(line);
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

    private void forwardText(String line) {
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
        log.atLevel(level).addKeyValue("stream", "stderr").log(text);
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
