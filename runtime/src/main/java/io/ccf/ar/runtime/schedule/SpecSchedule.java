package io.ccf.ar.runtime.schedule;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * A field-based cron schedule: port of robfig/cron v3 {@code SpecSchedule} (spec.go). Each field is a bit set,
 * bit {@code n} meaning value {@code n} is allowed; bit 63 ({@link #STAR_BIT}) records that the field was written
 * {@code *} or {@code ?}, which decides how day-of-month and day-of-week combine (see {@link #dayMatches}).
 */
final class SpecSchedule implements CronSchedule {
    /** Set in a field's bits when the field was {@code *} or {@code ?} (without a step greater than 1). */
    static final long STAR_BIT = 1L << 63;

    private final String expression;
    private final ZoneId zone;
    private final long second;
    private final long minute;
    private final long hour;
    private final long dayOfMonth;
    private final long month;
    private final long dayOfWeek;

    SpecSchedule(String expression, ZoneId zone,
                 long second, long minute, long hour, long dayOfMonth, long month, long dayOfWeek) {
        this.expression = Objects.requireNonNull(expression, "expression");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.second = second;
        this.minute = minute;
        this.hour = hour;
        this.dayOfMonth = dayOfMonth;
        this.month = month;
        this.dayOfWeek = dayOfWeek;
    }

    @Override
    public String expression() {
        return expression;
    }

    @Override
    public ZoneId zone() {
        return zone;
    }

    /** The bits of one field, as robfig stores them (for tests). */
    long bits(CronField field) {
        switch (field) {
            case SECOND: return second;
            case MINUTE: return minute;
            case HOUR: return hour;
            case DAY_OF_MONTH: return dayOfMonth;
            case MONTH: return month;
            case DAY_OF_WEEK: return dayOfWeek;
            default: throw new AssertionError(field);
        }
    }

    /**
     * robfig's algorithm, step for step: starting at the next whole second, walk month, day, hour, minute and
     * second forward until each matches; when a field wraps around, start over from the month. Gives up (empty)
     * once the year is more than five past the starting year.
     */
    @Override
    public Optional<ZonedDateTime> next(ZonedDateTime after) {
        if (neverMatches()) {
            return Optional.empty(); // what robfig returns too, after a five-year walk
        }
        ZonedDateTime t = after.withZoneSameInstant(zone);
        t = t.plusNanos(1_000_000_000L - t.getNano()); // the upcoming whole second
        boolean added = false; // whether a field has been incremented (then lower fields start from their minimum)
        int yearLimit = t.getYear() + 5;

        wrap:
        while (true) {
            if (t.getYear() > yearLimit) {
                return Optional.empty();
            }

            while (!has(month, t.getMonthValue())) {
                if (!added) {
                    added = true;
                    t = GoTime.date(t.getYear(), t.getMonthValue(), 1, 0, 0, 0, 0, zone);
                }
                t = GoTime.addDate(t, 0, 1, 0);
                if (t.getMonthValue() == 1) {
                    continue wrap;
                }
            }

            while (!dayMatches(t)) {
                if (!added) {
                    added = true;
                    t = GoTime.date(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), 0, 0, 0, 0, zone);
                }
                ZonedDateTime previous = t;
                t = GoTime.addDate(t, 0, 0, 1);
                if (!t.isAfter(previous)) {
                    // The whole next day does not exist (Pacific/Apia 2011-12-30): Go's time.Date falls back to
                    // today and robfig loops forever. Deliberate difference: go on to the next day that exists.
                    t = previous.toLocalDate().plusDays(1).atStartOfDay(zone);
                } else {
                    // Where DST moved midnight, step back to it (hour 1 etc.) or on to the next one (hour 23).
                    int h = t.getHour();
                    if (h != 0) {
                        t = t.plusHours(h > 12 ? 24 - h : -h);
                    }
                }
                if (t.getDayOfMonth() == 1) {
                    continue wrap;
                }
            }

            while (!has(hour, t.getHour())) {
                if (!added) {
                    added = true;
                    t = GoTime.date(t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), 0, 0, 0, zone);
                }
                t = t.plusHours(1);
                if (t.getHour() == 0) {
                    continue wrap;
                }
            }

            while (!has(minute, t.getMinute())) {
                if (!added) {
                    added = true;
                    t = GoTime.truncate(t, 60);
                }
                t = t.plusMinutes(1);
                if (t.getMinute() == 0) {
                    continue wrap;
                }
            }

            while (!has(second, t.getSecond())) {
                if (!added) {
                    added = true;
                    t = GoTime.truncate(t, 1);
                }
                t = t.plusSeconds(1);
                if (t.getSecond() == 0) {
                    continue wrap;
                }
            }

            return Optional.of(t);
        }
    }

    /**
     * robfig's day rule: if either day field was written {@code *} or {@code ?}, both must match (so the other one
     * decides); if both are restricted, either may match ({@code "0 0 0 1,15 * MON"} is the 1st, the 15th and
     * every Monday).
     */
    private boolean dayMatches(ZonedDateTime t) {
        boolean domMatch = has(dayOfMonth, t.getDayOfMonth());
        boolean dowMatch = has(dayOfWeek, t.getDayOfWeek().getValue() % 7); // Sunday = 0
        if ((dayOfMonth & STAR_BIT) != 0 || (dayOfWeek & STAR_BIT) != 0) {
            return domMatch && dowMatch;
        }
        return domMatch || dowMatch;
    }

    /**
     * True when a field allows no value at all (only possible as an empty list such as {@code ","}). robfig then
     * walks five years before giving up (for an empty second field, ~160 million steps); the answer is the same.
     */
    private boolean neverMatches() {
        long values = ~STAR_BIT;
        boolean noDay = (dayOfMonth & STAR_BIT) != 0 || (dayOfWeek & STAR_BIT) != 0
                ? (dayOfMonth & values) == 0 || (dayOfWeek & values) == 0
                : (dayOfMonth & values) == 0 && (dayOfWeek & values) == 0;
        return (second & values) == 0 || (minute & values) == 0 || (hour & values) == 0
                || (month & values) == 0 || noDay;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}
