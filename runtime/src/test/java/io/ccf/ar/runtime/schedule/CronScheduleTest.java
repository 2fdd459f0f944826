package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How {@link CronSchedule#next} behaves beyond the golden table: zones, strictness, and the edges. */
class CronScheduleTest {
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void nextIsStrictlyAfterEvenWhenStartingOnAFireTime() {
        CronSchedule schedule = CronParser.parse("0 */15 * * * *", ZoneOffset.UTC);
        assertEquals(at("2024-05-01T10:15:00Z"), schedule.next(at("2024-05-01T10:00:00Z")).orElseThrow());
        assertEquals(at("2024-05-01T10:15:00Z"), schedule.next(at("2024-05-01T10:14:59.999999999Z")).orElseThrow());
    }

    @Test
    void resultIsInTheScheduleZoneWhateverTheZoneOfTheStart() {
        CronSchedule schedule = CronParser.parse("0 0 9 * * *", NEW_YORK);
        ZonedDateTime next = schedule.next(ZonedDateTime.parse("2024-05-01T12:00:00+09:00[Asia/Tokyo]")).orElseThrow();
        assertEquals(ZonedDateTime.parse("2024-05-01T09:00:00-04:00[America/New_York]"), next);
        assertEquals(NEW_YORK, next.getZone());
    }

    @Test
    void defaultZoneIsWhereFieldsAreEvaluated() {
        ZonedDateTime start = at("2024-05-01T00:00:00Z");
        assertEquals(at("2024-05-01T09:00:00Z").toInstant(),
                CronParser.parse("0 0 9 * * *", ZoneOffset.UTC).next(start).orElseThrow().toInstant());
        assertEquals(at("2024-05-01T13:00:00Z").toInstant(),
                CronParser.parse("0 0 9 * * *", NEW_YORK).next(start).orElseThrow().toInstant());
    }

    @Test
    void unsatisfiableSchedulesAreEmpty() {
        assertEquals(Optional.empty(), CronParser.parse("0 0 0 30 Feb *", NEW_YORK).next(at("2024-01-01T00:00:00Z")));
        assertEquals(Optional.empty(), CronParser.parse("0 0 0 31 4,6,9,11 *", NEW_YORK).next(at("2024-01-01T00:00:00Z")));
    }

    @Test
    void theFiveYearLimitCountsFromTheStartYear() {
        CronSchedule leapDay = CronParser.parse("0 0 0 29 2 *", ZoneOffset.UTC);
        // from 2097 the next Feb 29 is 2104: beyond 2097 + 5
        assertEquals(Optional.empty(), leapDay.next(at("2097-01-01T00:00:00Z")));
        // from 2099 it is within 2099 + 5
        assertEquals(at("2104-02-29T00:00:00Z"), leapDay.next(at("2099-01-01T00:00:00Z")).orElseThrow());
    }

    /** An empty list such as "," allows no value: robfig walks five years of seconds to say so; we answer at once. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void emptyFieldNeverFires() {
        assertEquals(Optional.empty(), CronParser.parse(", * * * * *", NEW_YORK).next(at("2024-01-01T00:00:00Z")));
        assertEquals(Optional.empty(), CronParser.parse("0 0 , * * *", NEW_YORK).next(at("2024-01-01T00:00:00Z")));
        assertEquals(Optional.empty(), CronParser.parse("0 0 0 , * *", NEW_YORK).next(at("2024-01-01T00:00:00Z")));
        // both day fields restricted: an empty day-of-month still fires on the day-of-week
        assertEquals(at("2024-01-07T00:00:00Z").toInstant(),
                CronParser.parse("0 0 0 , * SUN", ZoneOffset.UTC).next(at("2024-01-01T00:00:00Z")).orElseThrow().toInstant());
    }

    /**
     * Deliberate difference: Pacific/Apia skipped 2011-12-30 entirely. Go's time.Date maps that day's midnight back
     * to the 29th and robfig's day loop never ends; we go on to the 31st.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void aSkippedCalendarDayDoesNotHang() {
        CronSchedule schedule = CronParser.parse("0 0 12 31 12 *", ZoneId.of("Pacific/Apia"));
        ZonedDateTime next = schedule.next(ZonedDateTime.parse("2011-12-20T00:00:00-10:00")).orElseThrow();
        assertEquals(OffsetDateTime.parse("2011-12-31T12:00:00+14:00"), next.toOffsetDateTime());
    }

    @Test
    void everyCountsElapsedTimeAndExpressesItInTheScheduleZone() {
        CronSchedule schedule = CronParser.parse("CRON_TZ=Asia/Tokyo @every 90m", NEW_YORK);
        ZonedDateTime next = schedule.next(at("2024-05-01T00:00:00.75Z")).orElseThrow();
        assertEquals(ZonedDateTime.parse("2024-05-01T10:30:00+09:00[Asia/Tokyo]"), next);
    }

    @Test
    void firesOnWholeSecondsWhateverTheStartFraction() {
        CronSchedule schedule = CronParser.parse("* * * * * *", ZoneOffset.UTC);
        assertEquals(at("2024-05-01T10:00:01Z"), schedule.next(at("2024-05-01T10:00:00.000000001Z")).orElseThrow());
        assertEquals(0, schedule.next(at("2024-05-01T10:00:00.5Z")).orElseThrow().getNano());
    }

    private static ZonedDateTime at(String isoInstant) {
        return OffsetDateTime.parse(isoInstant).atZoneSameInstant(ZoneOffset.UTC);
    }
}
