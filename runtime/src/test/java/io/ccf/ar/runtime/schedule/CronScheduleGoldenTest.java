package io.ccf.ar.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden fire times. Each row: the parser's default zone, a start time, an expression, and the fire times that
 * {@code next} must produce one after the other (ISO offset date-times in the schedule's zone, so offsets are
 * checked too; {@code none} for robfig's zero time). Every row was cross-checked against robfig/cron v3.0.1 itself
 * (compiled with Go 1.19, parser {@code SecondOptional | Minute | Hour | Dom | Month | Dow | Descriptor},
 * robfig's {@code time.Local} set to the row's zone).
 *
 * <p>Rows marked {@code spec_test} come from robfig/cron v3 spec_test.go ({@code TestNext}, {@code TestActivation},
 * {@code TestNextWithTz}), rows marked {@code constantdelay_test} from constantdelay_test.go; where robfig used
 * {@code time.Local} the zone column stands in for it. The further rows in those tables' style are ours.
 */
class CronScheduleGoldenTest {

    @ParameterizedTest(name = "[{index}] {2} after {1} in {0}")
    @CsvSource(delimiter = '|', textBlock = """
            # --- spec_test TestNext: simple cases, wrap-arounds -------------------------------------------------------
            UTC | 2012-07-09T14:45:00Z    | 0 0/15 * * * *                 | 2012-07-09T15:00Z 2012-07-09T15:15Z 2012-07-09T15:30Z
            UTC | 2012-07-09T14:59:00Z    | 0 0/15 * * * *                 | 2012-07-09T15:00Z
            UTC | 2012-07-09T14:59:59Z    | 0 0/15 * * * *                 | 2012-07-09T15:00Z
            UTC | 2012-07-09T15:45:00Z    | 0 20-35/15 * * * *             | 2012-07-09T16:20Z 2012-07-09T16:35Z 2012-07-09T17:20Z
            UTC | 2012-07-09T23:46:00Z    | 0 */15 * * * *                 | 2012-07-10T00:00Z
            UTC | 2012-07-09T23:45:00Z    | 0 20-35/15 * * * *             | 2012-07-10T00:20Z
            UTC | 2012-07-09T23:35:51Z    | 15/35 20-35/15 * * * *         | 2012-07-10T00:20:15Z 2012-07-10T00:20:50Z 2012-07-10T00:35:15Z
            UTC | 2012-07-09T23:35:51Z    | 15/35 20-35/15 1/2 * * *       | 2012-07-10T01:20:15Z
            UTC | 2012-07-09T23:35:51Z    | 15/35 20-35/15 10-12 * * *     | 2012-07-10T10:20:15Z
            UTC | 2012-07-09T23:35:51Z    | 15/35 20-35/15 1/2 */2 * *     | 2012-07-11T01:20:15Z
            UTC | 2012-07-09T23:35:51Z    | 15/35 20-35/15 * 9-20 * *      | 2012-07-10T00:20:15Z
            UTC | 2012-07-09T23:35:51Z    | 15/35 20-35/15 * 9-20 Jul *    | 2012-07-10T00:20:15Z
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 9 Apr-Oct ?              | 2012-08-09T00:00Z 2012-09-09T00:00Z 2012-10-09T00:00Z 2013-04-09T00:00Z
            # */5 has no star bit (step > 1), so day-of-month OR Monday: Aug 1 (a Wednesday) fires
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 */5 Apr,Aug,Oct Mon      | 2012-08-01T00:00Z 2012-08-06T00:00Z 2012-08-11T00:00Z 2012-08-13T00:00Z
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 */5 Oct Mon              | 2012-10-01T00:00Z
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 * Feb Mon                | 2013-02-04T00:00Z 2013-02-11T00:00Z
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 * Feb Mon/2              | 2013-02-01T00:00Z 2013-02-04T00:00Z 2013-02-06T00:00Z
            UTC | 2012-12-31T23:59:45Z    | 0 * * * * *                    | 2013-01-01T00:00Z
            # --- spec_test TestNext: leap year, unsatisfiable ---------------------------------------------------------
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 29 Feb ?                 | 2016-02-29T00:00Z 2020-02-29T00:00Z
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 30 Feb ?                 | none
            UTC | 2012-07-09T23:35:00Z    | 0 0 0 31 Apr ?                 | none
            # --- spec_test TestNext: DST 2am EST -> 3am EDT (spring forward) -----------------------------------------
            UTC | 2012-03-11T00:00:00-05:00 | TZ=America/New_York 0 30 2 11 Mar ?     | 2013-03-11T02:30-04:00
            UTC | 2012-03-11T00:00:00-05:00 | TZ=America/New_York 0 0 * * * ?         | 2012-03-11T01:00-05:00 2012-03-11T03:00-04:00 2012-03-11T04:00-04:00 2012-03-11T05:00-04:00
            UTC | 2012-03-11T00:00:00-05:00 | CRON_TZ=America/New_York 0 0 * * * ?    | 2012-03-11T01:00-05:00 2012-03-11T03:00-04:00 2012-03-11T04:00-04:00
            UTC | 2012-03-11T00:00:00-05:00 | TZ=America/New_York 0 0 1 * * ?         | 2012-03-11T01:00-05:00 2012-03-12T01:00-04:00
            UTC | 2012-03-11T00:00:00-05:00 | TZ=America/New_York 0 0 2 * * ?         | 2012-03-12T02:00-04:00
            # --- spec_test TestNext: DST 2am EDT -> 1am EST (fall back) ----------------------------------------------
            UTC | 2012-11-04T00:00:00-04:00 | TZ=America/New_York 0 30 2 04 Nov ?     | 2012-11-04T02:30-05:00
            UTC | 2012-11-04T01:45:00-04:00 | TZ=America/New_York 0 30 1 04 Nov ?     | 2012-11-04T01:30-05:00
            UTC | 2012-11-04T00:00:00-04:00 | TZ=America/New_York 0 0 * * * ?         | 2012-11-04T01:00-04:00 2012-11-04T01:00-05:00 2012-11-04T02:00-05:00
            UTC | 2012-11-04T00:00:00-04:00 | TZ=America/New_York 0 0 1 * * ?         | 2012-11-04T01:00-04:00 2012-11-04T01:00-05:00 2012-11-05T01:00-05:00
            UTC | 2012-11-04T00:00:00-04:00 | TZ=America/New_York 0 0 2 * * ?         | 2012-11-04T02:00-05:00 2012-11-05T02:00-05:00
            UTC | 2012-11-04T00:00:00-04:00 | TZ=America/New_York 0 0 3 * * ?         | 2012-11-04T03:00-05:00 2012-11-05T03:00-05:00
            # spec_test "TZ=America/New_York 2012-11-04T00:00:00-0400" start times: no prefix, zone = the default zone
            America/New_York | 2012-11-04T00:00:00-04:00 | 0 0 * * * ?            | 2012-11-04T01:00-04:00 2012-11-04T01:00-05:00 2012-11-04T02:00-05:00
            America/New_York | 2012-11-04T00:00:00-04:00 | 0 0 1 * * ?            | 2012-11-04T01:00-04:00 2012-11-04T01:00-05:00 2012-11-05T01:00-05:00
            America/New_York | 2012-11-04T00:00:00-04:00 | 0 0 3 3 * ?            | 2012-12-03T03:00-05:00
            # spec_test: midnight does not exist in Sao Paulo on DST start (robfig issue 157)
            UTC | 2018-10-17T05:00:00-04:00 | TZ=America/Sao_Paulo 0 0 9 10 * ?       | 2018-11-10T09:00-02:00
            UTC | 2018-02-14T05:00:00-05:00 | TZ=America/Sao_Paulo 0 0 9 22 * ?       | 2018-02-22T09:00-03:00
            # spec_test TestNextWithTz: a schedule without prefix runs in the (here fixed-offset) default zone
            +05:30 | 2016-01-03T13:09:03+05:30 | 14 14 * * *                           | 2016-01-03T14:14+05:30 2016-01-04T14:14+05:30
            +05:30 | 2016-01-03T04:09:03+05:30 | 14 14 * * ?                           | 2016-01-03T14:14+05:30
            # --- spec_test TestActivation: day-of-month / day-of-week ---------------------------------------------------
            # both restricted: either matches (OR)
            UTC | 2012-06-30T12:00:00Z    | 0 0 0 1,15 * Sun               | 2012-07-01T00:00Z 2012-07-08T00:00Z 2012-07-15T00:00Z 2012-07-22T00:00Z 2012-07-29T00:00Z 2012-08-01T00:00Z
            # */10 is a restriction, not a star (robfig issue 70): 1st, 11th, 21st, 31st OR Sundays
            UTC | 2012-07-01T00:00:00Z    | 0 0 0 */10 * Sun               | 2012-07-08T00:00Z 2012-07-11T00:00Z 2012-07-15T00:00Z 2012-07-21T00:00Z
            UTC | 2012-07-14T00:00:00Z    | 0 0 0 */2 * Sun                | 2012-07-15T00:00Z 2012-07-17T00:00Z 2012-07-19T00:00Z 2012-07-21T00:00Z 2012-07-22T00:00Z 2012-07-23T00:00Z
            # one is a star: both must match (AND)
            UTC | 2012-07-01T00:00:00Z    | 0 0 0 1,15 * *                 | 2012-07-15T00:00Z 2012-08-01T00:00Z 2012-08-15T00:00Z
            UTC | 2012-07-01T00:00:00Z    | 0 0 0 * * Mon                  | 2012-07-02T00:00Z 2012-07-09T00:00Z
            UTC | 2012-07-01T00:00:00Z    | 0 0 0 ? * Sun                  | 2012-07-08T00:00Z 2012-07-15T00:00Z
            UTC | 2012-07-14T00:00:00Z    | 0 30 08 ? Jul Sun              | 2012-07-15T08:30Z 2012-07-22T08:30Z
            UTC | 2012-07-14T00:00:00Z    | 0 30 08 15 Jul ?               | 2012-07-15T08:30Z 2013-07-15T08:30Z
            # --- seconds, steps, ranges with steps, lists, names, ? ----------------------------------------------------
            UTC | 2024-05-01T10:00:00Z    | */20 * * * * *                 | 2024-05-01T10:00:20Z 2024-05-01T10:00:40Z 2024-05-01T10:01Z
            UTC | 2024-05-01T10:00:07.5Z  | 5,10,50 * * * * *              | 2024-05-01T10:00:10Z 2024-05-01T10:00:50Z 2024-05-01T10:01:05Z
            UTC | 2024-05-01T10:00:00Z    | 0 10-40/10 * * * *             | 2024-05-01T10:10Z 2024-05-01T10:20Z 2024-05-01T10:30Z 2024-05-01T10:40Z 2024-05-01T11:10Z
            UTC | 2024-05-01T10:00:00Z    | 30 5/20 9-17/4 * * *           | 2024-05-01T13:05:30Z 2024-05-01T13:25:30Z 2024-05-01T13:45:30Z 2024-05-01T17:05:30Z
            UTC | 2024-05-01T10:00:00Z    | ? ? ? ? ? ?                    | 2024-05-01T10:00:01Z 2024-05-01T10:00:02Z
            UTC | 2024-01-01T00:00:00Z    | 0 0 12 * jan,JUL Sat           | 2024-01-06T12:00Z 2024-01-13T12:00Z
            UTC | 2024-06-30T00:00:00Z    | 0 0 12 * jan,JUL Sat           | 2024-07-06T12:00Z
            UTC | 2024-05-03T18:00:00Z    | 0 0 9 * * mon-FRI              | 2024-05-06T09:00Z 2024-05-07T09:00Z
            UTC | 2024-05-01T00:00:00Z    | 0 0 0 1 Nov-Dec,feb *          | 2024-11-01T00:00Z 2024-12-01T00:00Z 2025-02-01T00:00Z
            # --- the 5-field form: seconds = 0 ----------------------------------------------------------------------------
            UTC | 2012-07-13T10:00:00Z    | 30 9 * * MON-FRI               | 2012-07-16T09:30Z 2012-07-17T09:30Z
            UTC | 2024-05-01T10:07:00Z    | */15 * * * *                   | 2024-05-01T10:15Z 2024-05-01T10:30Z
            # --- descriptors ------------------------------------------------------------------------------------------
            UTC | 2012-07-09T15:04:00Z    | @hourly                        | 2012-07-09T16:00Z 2012-07-09T17:00Z
            UTC | 2012-07-09T15:00:00Z    | @daily                         | 2012-07-10T00:00Z 2012-07-11T00:00Z
            UTC | 2012-07-09T00:00:00Z    | @midnight                      | 2012-07-10T00:00Z
            UTC | 2012-07-09T00:00:00Z    | @weekly                        | 2012-07-15T00:00Z 2012-07-22T00:00Z
            UTC | 2012-07-01T00:00:00Z    | @monthly                       | 2012-08-01T00:00Z 2012-09-01T00:00Z
            UTC | 2012-07-09T00:00:00Z    | @yearly                        | 2013-01-01T00:00Z 2014-01-01T00:00Z
            UTC | 2012-07-09T00:00:00Z    | @annually                      | 2013-01-01T00:00Z
            America/New_York | 2024-03-09T12:00:00Z | CRON_TZ=Asia/Tokyo @daily       | 2024-03-10T00:00+09:00 2024-03-11T00:00+09:00
            # --- @every: whole seconds, at least one (constantdelay.go); ours counts from the Unix epoch, not from the
            # --- start time, so every runtime sharing a schedule fires at the same times (robfig differs where noted)
            UTC | 2012-07-09T14:45:00.5Z  | @every 1m30s                   | 2012-07-09T14:46:30Z 2012-07-09T14:48Z
            UTC | 2012-07-09T14:45:00.25Z | @every 500ms                   | 2012-07-09T14:45:01Z 2012-07-09T14:45:02Z
            UTC | 2012-07-09T14:45:00Z    | @every 1.5h                    | 2012-07-09T15:00Z 2012-07-09T16:30Z
            UTC | 2012-07-09T14:45:00Z    | @every 1.5s                    | 2012-07-09T14:45:01Z
            UTC | 2012-07-09T14:45:00Z    | @every -5m                     | 2012-07-09T14:45:01Z
            # constantdelay_test: 15m plus 50ns is rounded to 15m; a fraction of the start second is dropped
            UTC | 2012-07-09T14:45:00Z    | @every 15m0.00000005s          | 2012-07-09T15:00Z
            UTC | 2012-07-09T14:45:00.005Z | @every 15m                    | 2012-07-09T15:00Z
            UTC | 2012-07-09T23:35:51Z    | @every 25h44m24s               | 2012-07-10T22:40:48Z
            # ignores DST: 24h of elapsed time, not the same wall time
            America/New_York | 2024-03-09T12:00:00-05:00 | @every 24h          | 2024-03-09T19:00-05:00
            # --- CRON_TZ / TZ versus the default zone ---------------------------------------------------------------------
            America/New_York | 2024-01-01T00:00:00Z | CRON_TZ=Asia/Tokyo 0 0 9 * * * | 2024-01-02T09:00+09:00
            America/New_York | 2024-01-01T00:00:00Z | TZ=UTC 0 0 0 * * *             | 2024-01-02T00:00Z
            America/New_York | 2024-01-01T00:00:00Z | 0 0 0 * * *                    | 2024-01-01T00:00-05:00 2024-01-02T00:00-05:00
            Europe/Berlin    | 2024-06-01T00:00:00Z | CRON_TZ=Local 0 0 0 * * *      | 2024-06-02T00:00+02:00
            # --- Feb 29 and the five-year limit ---------------------------------------------------------------------------
            UTC | 2023-03-01T00:00:00Z    | 0 0 0 29 2 *                   | 2024-02-29T00:00Z 2028-02-29T00:00Z
            UTC | 2024-02-01T00:00:00Z    | 0 0 0 29 FEB MON               | 2024-02-05T00:00Z 2024-02-12T00:00Z 2024-02-19T00:00Z 2024-02-26T00:00Z 2024-02-29T00:00Z 2025-02-03T00:00Z
            # 2100 is not a leap year: the next Feb 29 after 2096 is more than five years away
            UTC | 2096-03-01T00:00:00Z    | 0 0 0 29 Feb *                 | none
            # --- robfig's DST quirks, kept on purpose --------------------------------------------------------------------
            # Europe/London: the 01:30 that happens twice is found twice by an hourly-at-:30 schedule
            Europe/London | 2024-10-27T00:00:00+01:00 | 0 30 * * * *          | 2024-10-27T00:30+01:00 2024-10-27T01:30+01:00 2024-10-27T01:30Z 2024-10-27T02:30Z
            Europe/London | 2024-03-31T00:00:00Z     | 0 30 1 * * *           | 2024-04-01T01:30+01:00
            # Havana's DST starts at midnight, so Go's time.Date turns 2012-04-01 00:00 into 2012-03-31 23:00 and
            # robfig's month walk then lands on May 1 at 23:00: May 1 2012 09:00 is skipped (Go does the same).
            America/Havana | 2012-01-15T00:00:00-05:00 | 0 0 9 1 5 *           | 2013-05-01T09:00-04:00
            """)
    void firesAtTheSameTimesAsRobfig(String zone, String from, String expression, String expected) {
        CronSchedule schedule = CronParser.parse(expression, ZoneId.of(zone));
        ZonedDateTime t = OffsetDateTime.parse(from).toZonedDateTime();

        List<String> actual = new ArrayList<>();
        for (int i = 0; i < expected.split(" ").length; i++) {
            Optional<ZonedDateTime> next = schedule.next(t);
            if (next.isEmpty()) {
                actual.add("none");
                break;
            }
            t = next.get();
            actual.add(t.toOffsetDateTime().toString());
        }
        assertEquals(normalize(expected), String.join(" ", actual), expression);
    }

    /** The expected column written as OffsetDateTime prints it, so that "2012-07-09T15:00Z" means 15:00:00 UTC. */
    private static String normalize(String expected) {
        List<String> times = new ArrayList<>();
        for (String time : expected.split(" ")) {
            times.add(time.equals("none") ? time : OffsetDateTime.parse(time).toString());
        }
        return String.join(" ", times);
    }
}
