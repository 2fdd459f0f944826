package io.ccf.ar.sdk.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.Locale;

/**
 * hclog's JSON line format, as go-plugin hosts parse it from a plugin's stderr:
 * one JSON object per line with {@code @level}, {@code @message},
 * {@code @module}, {@code @timestamp} (Go layout
 * {@code 2006-01-02T15:04:05.000000Z07:00}: local time, exactly six fractional
 * digits, {@code Z} for UTC or {@code +hh:mm}), then the caller's key/value
 * fields. Hand-written on purpose: no JSON library, no {@code DateTimeFormatter},
 * nothing that slows a plugin's start.
 */
public final class Hclog {
    /** hclog level names, lowest first; the index is the level's rank. */
    public static final String[] LEVEL_NAMES = {"trace", "debug", "info", "warn", "error"};

    /** Rank of {@code info}, the default threshold. */
    public static final int INFO = 2;

    private static volatile String rootModule = defaultRootModule();
    private static final int THRESHOLD = parseLevel(System.getenv("AR_PLUGIN_LOG_LEVEL"));
    private static volatile ZoneRules zoneRules;

    private Hclog() {
    }

    /** The module name of the plugin's root logger (the plugin's name). */
    public static String rootModule() {
        return rootModule;
    }

    /** Sets the plugin's name, used as {@code @module} by every logger from then on. */
    public static void setRootModule(String name) {
        if (name != null && !name.isBlank()) {
            rootModule = name.strip();
        }
    }

    /** The threshold rank read from {@code AR_PLUGIN_LOG_LEVEL} (default info). */
    public static int threshold() {
        return THRESHOLD;
    }

    /**
     * Parses an hclog level name (case-insensitive; {@code warning} and
     * {@code err} accepted too). Unknown or missing: info.
     */
    static int parseLevel(String s) {
        if (s == null) {
            return INFO;
        }
        switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "trace":
                return 0;
            case "debug":
                return 1;
            case "warn":
            case "warning":
                return 3;
            case "error":
            case "err":
                return 4;
            default:
                return INFO;
        }
    }

    /**
     * A default plugin name until {@code PluginServer.Builder.name} sets one: the
     * jar's base name ({@code java -jar /x/busy.jar} gives {@code busy}) or the
     * main class's simple name, else {@code plugin}.
     */
    private static String defaultRootModule() {
        String cmd = System.getProperty("sun.java.command");
        if (cmd == null || cmd.isBlank()) {
            return "plugin";
        }
        String first = cmd.strip().split(" ", 2)[0];
        if (first.endsWith(".jar")) {
            String base = first.substring(first.lastIndexOf('/') + 1);
            return base.substring(0, base.length() - 4);
        }
        return first.substring(first.lastIndexOf('.') + 1);
    }

    /**
     * Formats one log line (with the trailing newline) as UTF-8 bytes.
     *
     * @param level rank into {@link #LEVEL_NAMES}
     * @param module the {@code @module} value
     * @param message the {@code @message} value
     * @param keyValues alternating keys and values; an odd trailing value is kept
     *     under {@code EXTRA_VALUE_AT_END} (as hclog does)
     */
    public static byte[] line(int level, String module, String message, Object[] keyValues) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("{\"@level\":\"").append(LEVEL_NAMES[level]).append("\",\"@message\":");
        quote(sb, message == null ? "" : message);
        sb.append(",\"@module\":");
        quote(sb, module);
        sb.append(",\"@timestamp\":\"");
        timestamp(sb, Instant.now());
        sb.append('"');
        if (keyValues != null) {
            int i = 0;
            for (; i + 1 < keyValues.length; i += 2) {
                sb.append(',');
                quote(sb, String.valueOf(keyValues[i]));
                sb.append(':');
                value(sb, keyValues[i + 1]);
            }
            if (i < keyValues.length) {
                sb.append(",\"EXTRA_VALUE_AT_END\":");
                value(sb, keyValues[i]);
            }
        }
        sb.append("}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code t} in Go's {@code 2006-01-02T15:04:05.000000Z07:00} layout, in local time. */
    public static void timestamp(StringBuilder sb, Instant t) {
        ZoneRules rules = zoneRules;
        if (rules == null) {
            rules = ZoneId.systemDefault().getRules();
            zoneRules = rules;
        }
        ZoneOffset offset = rules.getOffset(t);
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), offset);
        int year = d.getYear();
        if (year < 0 || year > 9999) {
            sb.append(year);
        } else {
            pad(sb, year, 4);
        }
        sb.append('-');
        pad(sb, d.getMonthValue(), 2);
        sb.append('-');
        pad(sb, d.getDayOfMonth(), 2);
        sb.append('T');
        pad(sb, d.getHour(), 2);
        sb.append(':');
        pad(sb, d.getMinute(), 2);
        sb.append(':');
        pad(sb, d.getSecond(), 2);
        sb.append('.');
        pad(sb, t.getNano() / 1000, 6);
        int secs = offset.getTotalSeconds();
        if (secs == 0) {
            sb.append('Z');
        } else {
            sb.append(secs < 0 ? '-' : '+');
            int abs = Math.abs(secs);
            pad(sb, abs / 3600, 2);
            sb.append(':');
            pad(sb, (abs / 60) % 60, 2);
        }
    }

    private static void pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short
                || v instanceof Byte || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof BigDecimal) {
            sb.append(((BigDecimal) v).toString());
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) {
                sb.append(v);
            } else {
                quote(sb, v.toString());
            }
        } else {
            quote(sb, v.toString());
        }
    }

    /** Appends {@code s} as a JSON string literal (RFC 8259 escaping). */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        hex(sb, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        hex(sb, c); // lone surrogate: keep it visible rather than '?' from UTF-8
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }

    private static void hex(StringBuilder sb, char c) {
        sb.append("\\u");
        String h = Integer.toHexString(c);
        for (int k = h.length(); k < 4; k++) {
            sb.append('0');
        }
        sb.append(h);
    }
}
