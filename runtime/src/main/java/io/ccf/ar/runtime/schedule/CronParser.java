package io.ccf.ar.runtime.schedule;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses cron expressions exactly as the Go daemon did with {@code github.com/robfig/cron/v3} v3.0.1, configured as
 * {@code cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow |
 * cron.Descriptor)}: six fields with seconds, or five with the seconds taken as 0.
 *
 * <pre>
 *   [CRON_TZ=Area/City ] second minute hour day-of-month month day-of-week
 *   [CRON_TZ=Area/City ]        minute hour day-of-month month day-of-week      (second = 0)
 *   [CRON_TZ=Area/City ] @yearly | @annually | @monthly | @weekly | @daily | @midnight | @hourly
 *   [CRON_TZ=Area/City ] @every &lt;Go duration&gt;                                  (e.g. 1m30s, 1.5h)
 * </pre>
 *
 * <ul>
 *   <li>Fields are separated by any whitespace. Each is a comma-separated list of {@code *}, {@code N},
 *       {@code N-M}, each optionally {@code /step}; {@code N/step} means {@code N-max/step}; {@code ?} is
 *       {@code *} in any field.</li>
 *   <li>Ranges: second and minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 0-6
 *       (Sunday = 0; 7 is rejected) or SUN-SAT. Names in any case.</li>
 *   <li>Day-of-month and day-of-week: if either is {@code *} or {@code ?} (a step above 1, as in {@code *}/2, no
 *       longer counts as a star), a day must match both; otherwise a day matching either one fires.</li>
 *   <li>{@code TZ=} works like {@code CRON_TZ=}. Without either, fields are evaluated in the default zone given to
 *       {@link #parse}. The prefix must be followed by a single space character ({@code ' '}).</li>
 *   <li>{@code @every}: the duration is rounded down to whole seconds, and is at least one second
 *       ({@code @every 500ms} fires every second). Descriptors are case-sensitive and take no extra spaces.</li>
 * </ul>
 */
public final class CronParser {
    private static final int FIELDS_WITH_SECONDS = 6;
    private static final String DESCRIPTORS =
            "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>";

    private CronParser() {
    }

    /**
     * Parses {@code expression}.
     *
     * @param defaultZone the zone for expressions without {@code CRON_TZ=}/{@code TZ=} (robfig's {@code time.Local})
     * @throws CronParseException for every expression robfig/cron rejects (plus {@code "CRON_TZ=Zone"} with nothing
     *                            after it, where robfig panics), naming the expression, the field and the value
     */
    public static CronSchedule parse(String expression, ZoneId defaultZone) {
        Objects.requireNonNull(expression, "cron expression");
        Objects.requireNonNull(defaultZone, "default zone");
        if (expression.isEmpty()) {
            throw new CronParseException(expression, "the expression is empty");
        }

        String spec = expression;
        ZoneId zone = defaultZone;
        if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
            int space = spec.indexOf(' ');
            int eq = spec.indexOf('=');
            String prefix = spec.substring(0, eq + 1);
            if (space < 0) {
                throw new CronParseException(expression, prefix + " must be followed by a time zone, a space and "
                        + "the schedule, e.g. \"" + prefix + "Europe/Berlin 0 30 9 * * MON-FRI\"");
            }
            String zoneName = spec.substring(eq + 1, space);
            zone = loadLocation(zoneName, defaultZone);
            if (zone == null) {
                throw new CronParseException(expression, "unknown time zone \"" + zoneName + "\" after " + prefix
                        + " (use an IANA name such as America/New_York, or UTC)");
            }
            spec = GoStrings.trimSpace(spec.substring(space));
        }

        if (spec.startsWith("@")) {
            return parseDescriptor(expression, spec, zone);
        }

        List<String> fields = new ArrayList<>(GoStrings.fields(spec));
        if (fields.size() < FIELDS_WITH_SECONDS - 1 || fields.size() > FIELDS_WITH_SECONDS) {
            throw new CronParseException(expression, "expected 5 to 6 fields, found " + fields.size() + ": "
                    + GoStrings.formatList(fields)
                    + " (fields: [second] minute hour day-of-month month day-of-week)");
        }
        if (fields.size() == FIELDS_WITH_SECONDS - 1) {
            fields.add(0, "0");
        }

        CronField[] order = CronField.values();
        long[] bits = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            try {
                bits[i] = order[i].parse(fields.get(i));
            } catch (CronField.InvalidFieldException e) {
                throw new CronParseException(expression, order[i].label() + " field: " + e.getMessage());
            }
        }
        return new SpecSchedule(expression, zone, bits[0], bits[1], bits[2], bits[3], bits[4], bits[5]);
    }

    /** robfig's {@code parseDescriptor}: exact, case-sensitive names; {@code @every } with exactly one space. */
    private static CronSchedule parseDescriptor(String expression, String descriptor, ZoneId zone) {
        long atSecond0 = CronField.SECOND.first();
        long atMinute0 = CronField.MINUTE.first();
        long atHour0 = CronField.HOUR.first();
        long everyHour = CronField.HOUR.all();
        long on1st = CronField.DAY_OF_MONTH.first();
        long everyDay = CronField.DAY_OF_MONTH.all();
        long inJanuary = CronField.MONTH.first();
        long everyMonth = CronField.MONTH.all();
        long onSunday = CronField.DAY_OF_WEEK.first();
        long everyWeekday = CronField.DAY_OF_WEEK.all();
        switch (descriptor) {
            case "@yearly":
            case "@annually":
                return new SpecSchedule(expression, zone, atSecond0, atMinute0, atHour0, on1st, inJanuary, everyWeekday);
            case "@monthly":
                return new SpecSchedule(expression, zone, atSecond0, atMinute0, atHour0, on1st, everyMonth, everyWeekday);
            case "@weekly":
                return new SpecSchedule(expression, zone, atSecond0, atMinute0, atHour0, everyDay, everyMonth, onSunday);
            case "@daily":
            case "@midnight":
                return new SpecSchedule(expression, zone, atSecond0, atMinute0, atHour0, everyDay, everyMonth, everyWeekday);
            case "@hourly":
                return new SpecSchedule(expression, zone, atSecond0, atMinute0, everyHour, everyDay, everyMonth, everyWeekday);
            default:
                break;
        }
        String every = "@every ";
        if (descriptor.startsWith(every)) {
            Duration duration;
            try {
                duration = GoDuration.parse(descriptor.substring(every.length()));
            } catch (IllegalArgumentException e) {
                throw new CronParseException(expression, "@every: " + e.getMessage());
            }
            return new ConstantDelaySchedule(expression, zone, duration);
        }
        throw new CronParseException(expression, "unrecognized descriptor \"" + descriptor + "\" (use " + DESCRIPTORS + ")");
    }

    /**
     * Go's {@code time.LoadLocation}: "" and "UTC" are UTC, "Local" is the default zone, otherwise an IANA tz
     * database name (case-sensitive). Null if unknown. Fixed offsets such as "+02:00" are not names Go knows.
     */
    private static ZoneId loadLocation(String name, ZoneId defaultZone) {
        if (name.isEmpty() || name.equals("UTC")) {
            return ZoneId.of("UTC");
        }
        if (name.equals("Local")) {
            return defaultZone;
        }
        if (name.contains("..") || name.startsWith("/") || name.startsWith("\\")
                || !ZoneId.getAvailableZoneIds().contains(name)) {
            return null;
        }
        return ZoneId.of(name);
    }
}
