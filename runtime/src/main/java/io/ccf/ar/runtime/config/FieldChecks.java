package io.ccf.ar.runtime.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.regex.Pattern;

import io.ccf.ar.runtime.schedule.CronParser;
import io.ccf.ar.runtime.schedule.GoDuration;
import io.ccf.ar.runtime.version.VersionRequirement;

/** Value checks shared by the config file and plan binders. Empty values are left to the required-field check. */
final class FieldChecks {
    /** Same rule as the plugin host's PackageRef: names become directory names under pluginsDir. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private FieldChecks() {
    }

    static boolean isPlainName(String value) {
        return PLAIN_NAME.matcher(value).matches() && !value.contains("..");
    }

    /** Package names and versions: refuse anything that could escape the plugins directory. */
    static void plainName(MappingReader m, String key, String value) {
        if (!value.isBlank() && !isPlainName(value)) {
            m.problems().add(m.positionOf(key), m.path(key), "\"" + value
                    + "\" is not a plain name (use letters, digits, '.', '_', '+', '-'; no '/' or '..')");
        }
    }

    /** A version field: exact ({@code 1.0.0}), pinned ({@code 1.0.0@sha256:<hex>}) or a range ({@code ^1.2}). */
    static void versionRequirement(MappingReader m, String key, String value) {
        if (value.isBlank()) {
            return;
        }
        try {
            VersionRequirement.parse(value);
        } catch (IllegalArgumentException e) {
            m.problems().add(m.positionOf(key), m.path(key), e.getMessage());
        }
    }

    /**
     * Parses the schedule as the scheduler will (system zone unless it starts with CRON_TZ=), so a
     * bad expression fails at load time rather than when the job would have been scheduled.
     */
    static void cronSchedule(MappingReader m, String key, String expression) {
        if (expression.isBlank()) {
            return;
        }
        try {
            CronParser.parse(expression, ZoneId.systemDefault());
        } catch (IllegalArgumentException | DateTimeException e) {
            String message = e.getMessage() != null ? e.getMessage()
                    : "invalid cron expression \"" + expression + "\"";
            m.problems().add(m.positionOf(key), m.path(key), message);
        }
    }

    /** A Go-syntax duration ("30s", "1m30s"), or {@code fallback} when absent or (after a report) invalid. */
    static Duration duration(MappingReader m, String key, Duration fallback, boolean zeroAllowed) {
        String text = m.string(key, null);
        if (text == null) {
            return fallback;
        }
        Duration value;
        try {
            value = GoDuration.parse(text.trim());
        } catch (IllegalArgumentException e) {
            m.problems().add(m.positionOf(key), m.path(key), "invalid duration \"" + text + "\": " + e.getMessage()
                    + " (use Go syntax such as 30s, 1m30s, 500ms)");
            return fallback;
        }
        if (value.isNegative() || (value.isZero() && !zeroAllowed)) {
            m.problems().add(m.positionOf(key), m.path(key),
                    "must be " + (zeroAllowed ? "zero or positive" : "positive") + ", got \"" + text + "\"");
            return fallback;
        }
        return value;
    }

    private static final java.util.regex.Pattern SIZE = java.util.regex.Pattern.compile("(\\d{1,15})\\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?");

    /** A byte size ("512MiB", "2GiB", "100MB", "1048576"), or {@code fallback} when absent or (after a report) invalid. */
    static long size(MappingReader m, String key, long fallback, long minimum) {
        String text = m.string(key, null);
        if (text == null) {
            return fallback;
        }
        java.util.regex.Matcher s = SIZE.matcher(text.strip());
        if (!s.matches()) {
            m.problems().add(m.positionOf(key), m.path(key), "invalid size \"" + text
                    + "\" (use a number of bytes with an optional unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)");
            return fallback;
        }
        long unit = switch (s.group(2) == null ? "B" : s.group(2)) {
            case "KB" -> 1_000L;
            case "KiB" -> 1L << 10;
            case "MB" -> 1_000_000L;
            case "MiB" -> 1L << 20;
            case "GB" -> 1_000_000_000L;
            case "GiB" -> 1L << 30;
            case "TB" -> 1_000_000_000_000L;
            case "TiB" -> 1L << 40;
            default -> 1L;
        };
        long n = Long.parseLong(s.group(1));
        if (n > Long.MAX_VALUE / unit || n * unit < minimum) {
            m.problems().add(m.positionOf(key), m.path(key), "must be at least " + minimum + " bytes, got \"" + text + "\"");
            return fallback;
        }
        return n * unit;
    }
}
