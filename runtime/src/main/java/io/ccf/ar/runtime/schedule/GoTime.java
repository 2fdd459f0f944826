package io.ccf.ar.runtime.schedule;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;

/**
 * The few Go {@code time} operations robfig/cron's {@code SpecSchedule.Next} uses, with Go's semantics where they
 * differ from java.time: {@code time.Date} resolves a wall time in a DST gap or overlap its own way (a skipped
 * 02:30 in New York becomes 01:30 EST, where java.time would give 03:30 EDT), {@code AddDate} is wall-clock
 * arithmetic resolved the same way, and {@code Truncate} rounds the instant, not the wall time.
 * ({@code Time.Add} is instant arithmetic, which {@code ZonedDateTime.plusHours/plusMinutes/plusSeconds} already are.)
 */
final class GoTime {
    private GoTime() {
    }

    /**
     * Go's {@code time.Date(year, month, day, hour, min, sec, nsec, zone)}: out-of-range values carry over
     * (month 13 is January of the next year, day 0 the last day of the previous month), then the wall time is
     * placed in the zone as Go does it.
     */
    static ZonedDateTime date(int year, int month, int day, int hour, int min, int sec, int nsec, ZoneId zone) {
        LocalDateTime wall = LocalDate.of(year + Math.floorDiv(month - 1, 12), Math.floorMod(month - 1, 12) + 1, 1)
                .atStartOfDay()
                .plusDays(day - 1L)
                .plusHours(hour)
                .plusMinutes(min)
                .plusSeconds(sec)
                .plusNanos(nsec);
        long unix = wall.toEpochSecond(ZoneOffset.UTC);
        // As Go: take the offset in force at the wall time read as if it were UTC; if subtracting it leaves that
        // offset's period, use the offset in force at the corrected instant instead.
        ZoneRules rules = zone.getRules();
        Instant guess = Instant.ofEpochSecond(unix);
        int offset = rules.getOffset(guess).getTotalSeconds();
        if (offset != 0) {
            long utc = unix - offset;
            ZoneOffsetTransition periodStart = rules.previousTransition(guess.plusSeconds(1)); // last one <= guess
            ZoneOffsetTransition periodEnd = rules.nextTransition(guess); // first one > guess
            long start = periodStart == null ? Long.MIN_VALUE : periodStart.toEpochSecond();
            long end = periodEnd == null ? Long.MAX_VALUE : periodEnd.toEpochSecond();
            if (utc < start || utc >= end) {
                offset = rules.getOffset(Instant.ofEpochSecond(utc)).getTotalSeconds();
            }
            unix -= offset;
        }
        return Instant.ofEpochSecond(unix, wall.getNano()).atZone(zone);
    }

    /** Go's {@code t.AddDate(years, months, days)}: add to the wall date, keep the wall time, resolve as {@link #date}. */
    static ZonedDateTime addDate(ZonedDateTime t, int years, int months, int days) {
        return date(t.getYear() + years, t.getMonthValue() + months, t.getDayOfMonth() + days,
                t.getHour(), t.getMinute(), t.getSecond(), t.getNano(), t.getZone());
    }

    /** Go's {@code t.Truncate(d)} for whole seconds {@code d}: round the instant down (not the wall time). */
    static ZonedDateTime truncate(ZonedDateTime t, long seconds) {
        long epochSecond = t.toEpochSecond();
        return Instant.ofEpochSecond(epochSecond - Math.floorMod(epochSecond, seconds)).atZone(t.getZone());
    }
}
